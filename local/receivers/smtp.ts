import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { getFreePort } from "../../processes/ports";
import { waitForItem } from "./json-capture";

export interface ReceivedEmail {
  receivedAt: Date;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The user that authenticated, if any. */
  user?: string;
}

/**
 * Stands where the team's mail server stands: a real SMTP server (smtp-server) that parses and
 * keeps every message. With `auth`, it accepts only that user and password, so the test proves
 * Alertmanager read the password from its secret file.
 */
export interface SmtpReceiver {
  readonly port: number;
  /** host:port for Alertmanager's smarthost. */
  readonly smarthost: string;
  readonly emails: ReceivedEmail[];
  waitFor(predicate: (email: ReceivedEmail) => boolean, timeoutMs: number): Promise<ReceivedEmail>;
  /** Stops listening, as a mail server that is down (connections refused); `up()` listens again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpReceiver(options: { port?: number; auth?: { user: string; password: string } } = {}): Promise<SmtpReceiver> {
  const emails: ReceivedEmail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    size: 5 * 1024 * 1024,
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.password) return callback(null, { user: auth.username });
      return callback(new Error("invalid username or password"));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          emails.push({
            receivedAt: new Date(),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
            user: typeof session.user === "string" ? session.user : undefined,
          });
          for (const wake of waiters) wake();
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  // down()/up() listen again on this port: one outside the ephemeral range, which no outgoing
  // connection can take while the server is down.
  const port = options.port ?? (await getFreePort());
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    smarthost: `127.0.0.1:${port}`,
    emails,
    waitFor: (predicate, timeoutMs) => waitForItem(emails, waiters, predicate, timeoutMs, "email"),
    down: () => new Promise((resolve) => server.server.close(() => resolve())),
    up: () => new Promise((resolve) => server.server.listen(port, "127.0.0.1", resolve)),
    close: () => new Promise((resolve) => (server.server.listening ? server.close(() => resolve()) : resolve())),
  };
}
