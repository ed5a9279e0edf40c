/** Redis keys shared by vote (producer) and worker (consumer). */
export const QUEUE_KEYS = {
  /** Pending votes: vote RPUSHes, worker takes from the head. */
  pending: "votes",
  /** Malformed messages, kept as received for inspection. */
  deadLetter: "votes:dead",
  /** Set of worker ids that may own a processing list. */
  workers: "votes:workers",
  /** The batch a worker has taken and not yet acknowledged. */
  processing: (workerId: string) => `votes:processing:${workerId}`,
  /** Present while the worker is alive (TTL); its absence lets others recover the processing list. */
  heartbeat: (workerId: string) => `votes:heartbeat:${workerId}`,
} as const;

/** The message format on the queue; `ts` (ms since epoch) is optional for messages from older producers. */
export interface VoteMessage {
  voter_id: string;
  vote: "a" | "b";
  ts?: number;
}
