import { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { isRatio } from "../../shared/src/env";
import { jsonReply, Reply, Routes, textReply } from "../../shared/src/http-server";
import { Logger } from "../../shared/src/logger";
import { FaultInjector } from "./fault-injection";
import { VotePages } from "./page";
import { BodyTooLargeError, readSmallBody } from "./request-body";
import { VoteQueue } from "./vote-queue";
import { choiceCookie, CLEAR_VOTER_ID_COOKIE, newVoterId, readVoterCookies, voterIdCookie } from "./voter-cookie";

const BODY_LIMIT_BYTES = 1024;
const HTML = "text/html; charset=utf-8";

export interface VoteRouteDeps {
  pages: VotePages;
  queue: VoteQueue;
  faults: FaultInjector;
  logger: Logger;
}

export function voteRoutes(deps: VoteRouteDeps): Routes {
  const { pages, queue, faults } = deps;

  const htmlReply = (status: number, body: Buffer, extraHeaders: OutgoingHttpHeaders = {}, cause?: unknown): Reply => ({
    status,
    headers: { "content-type": HTML, "content-length": body.length, "cache-control": "no-store", ...extraHeaders },
    body,
    cause,
  });
  const injectedFault = (): Reply => htmlReply(500, pages.injectedFault, {}, "fault injected");
  const badCookie = (): Reply => ({
    ...textReply(400, "malformed voter_id cookie", "malformed voter_id cookie"),
    headers: { "content-type": "text/plain; charset=utf-8", "set-cookie": CLEAR_VOTER_ID_COOKIE },
  });
  const tooLarge = (error: unknown): Reply => ({
    ...textReply(413, `request body larger than ${BODY_LIMIT_BYTES} bytes`, error),
    // The rest of the body is never read, so this connection cannot carry another request.
    headers: { "content-type": "text/plain; charset=utf-8", connection: "close" },
  });
  const readBodyOrReply = async (req: IncomingMessage): Promise<string | Reply> => {
    try {
      return await readSmallBody(req, BODY_LIMIT_BYTES);
    } catch (error) {
      return error instanceof BodyTooLargeError ? tooLarge(error) : textReply(400, "unreadable request body", error);
    }
  };

  const showPage = (req: IncomingMessage): Reply => {
    if (faults.shouldFail()) return injectedFault();
    const { voterId, choice } = readVoterCookies(req.headers.cookie);
    if (voterId === null) return badCookie();
    const headers = voterId === undefined ? { "set-cookie": voterIdCookie(newVoterId()) } : {};
    return htmlReply(200, pages.byChoice[choice ?? "none"], headers);
  };

  const castVote = async (req: IncomingMessage): Promise<Reply> => {
    if (faults.shouldFail()) return injectedFault();
    const cookies = readVoterCookies(req.headers.cookie);
    if (cookies.voterId === null) return badCookie();
    const contentType = req.headers["content-type"] ?? "";
    if (!contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      return textReply(415, "expected an application/x-www-form-urlencoded form", `content-type ${JSON.stringify(contentType)}`);
    }
    const body = await readBodyOrReply(req);
    if (typeof body !== "string") return body;
    const option = new URLSearchParams(body).get("vote");
    if (option !== "a" && option !== "b") return textReply(400, "vote must be a or b", `vote ${JSON.stringify(option)}`);

    const voterId = cookies.voterId ?? newVoterId();
    try {
      await queue.enqueue(voterId, option);
    } catch (error) {
      return htmlReply(503, pages.unavailable, { "retry-after": "1" }, error);
    }
    const setCookie = cookies.voterId === undefined ? [voterIdCookie(voterId), choiceCookie(option)] : choiceCookie(option);
    return htmlReply(200, pages.byChoice[option], { "set-cookie": setCookie });
  };

  const routes: Record<string, Routes[string]> = { "/": { GET: showPage, POST: castVote } };
  if (faults.enabled) {
    routes["/-/fault"] = {
      GET: () => jsonReply(200, { errorRatio: faults.errorRatio }),
      PUT: async (req) => {
        const body = await readBodyOrReply(req);
        if (typeof body !== "string") return body;
        let errorRatio: unknown;
        try {
          errorRatio = (JSON.parse(body) as { errorRatio?: unknown } | null)?.errorRatio;
        } catch {
          return textReply(400, 'expected JSON like {"errorRatio":0.3}', "invalid JSON");
        }
        if (!isRatio(errorRatio)) return textReply(400, "errorRatio must be a number from 0 to 1", `errorRatio ${JSON.stringify(errorRatio)}`);
        faults.setErrorRatio(errorRatio);
        deps.logger.warn("fault injection ratio changed", { errorRatio });
        return jsonReply(200, { errorRatio });
      },
    };
  }
  return routes;
}
