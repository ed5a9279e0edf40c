import { VoteOptions } from "../../shared/src/common-config";
import { Reply, Routes, STREAMING, textReply } from "../../shared/src/http-server";
import { renderResultPage } from "./page";
import { SseHub } from "./sse-hub";
import { Tally, tallyJson } from "./tally";

export interface ResultRouteDeps {
  options: VoteOptions;
  currentTally: () => Tally | undefined;
  hub: SseHub;
}

export function resultRoutes({ options, currentTally, hub }: ResultRouteDeps): Routes {
  const notYetRead = (): Reply => textReply(503, "tally not read from postgres yet", "no successful read from postgres yet");
  return {
    "/": {
      GET: () => {
        const tally = currentTally();
        if (tally === undefined) return notYetRead();
        return { status: 200, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }, body: renderResultPage(options, tally) };
      },
    },
    "/api/results": {
      GET: () => {
        const tally = currentTally();
        if (tally === undefined) return notYetRead();
        return { status: 200, headers: { "content-type": "application/json", "cache-control": "no-store" }, body: tallyJson(tally, options) };
      },
    },
    "/events": {
      GET: (_req, res) => {
        const tally = currentTally();
        hub.open(res, tally === undefined ? undefined : tallyJson(tally, options));
        return STREAMING;
      },
    },
  };
}
