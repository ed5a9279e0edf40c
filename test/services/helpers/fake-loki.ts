import { createServer, IncomingMessage, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";

export interface PushedLine {
  labels: Record<string, string>;
  line: string;
}

/** A stand-in for Loki's push API on 127.0.0.1: records pushes, or fails or hangs on demand. */
export interface FakeLoki {
  url: string;
  lines: PushedLine[];
  mode: "accept" | "fail" | "hang";
  close(): Promise<void>;
}

export async function startFakeLoki(): Promise<FakeLoki> {
  const hanging: ServerResponse[] = [];
  const fake: FakeLoki = { url: "", lines: [], mode: "accept", close: async () => undefined };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (fake.mode === "hang") {
        hanging.push(res);
        return;
      }
      if (fake.mode === "fail" || req.url !== "/loki/api/v1/push") {
        res.writeHead(500).end("failing on purpose");
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { streams: { stream: Record<string, string>; values: [string, string][] }[] };
      for (const stream of body.streams) for (const [, line] of stream.values) fake.lines.push({ labels: stream.stream, line });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return fake;
}
