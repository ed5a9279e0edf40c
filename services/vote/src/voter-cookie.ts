import { randomUUID } from "node:crypto";

export type OptionKey = "a" | "b";

/** Our ids are UUIDs; ids of the original app (hex) also pass. Anything else is refused with 400. */
const VOTER_ID = /^[A-Za-z0-9_-]{8,64}$/;
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

export interface VoterCookies {
  /** undefined: no cookie yet; null: present but malformed. */
  voterId: string | undefined | null;
  /** The last choice shown to this browser (display only; Postgres holds the truth). */
  choice: OptionKey | undefined;
}

export function readVoterCookies(cookieHeader: string | undefined): VoterCookies {
  let voterId: string | undefined | null;
  let choice: OptionKey | undefined;
  if (cookieHeader === undefined) return { voterId, choice };
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name === "voter_id") {
      const value = part.slice(eq + 1).trim();
      voterId = VOTER_ID.test(value) ? value : null;
    } else if (name === "vote") {
      const value = part.slice(eq + 1).trim();
      if (value === "a" || value === "b") choice = value;
    }
  }
  return { voterId, choice };
}

export function newVoterId(): string {
  return randomUUID();
}

export function voterIdCookie(voterId: string): string {
  return `voter_id=${voterId}; Path=/; Max-Age=${ONE_YEAR_SECONDS}; HttpOnly; SameSite=Lax`;
}

export function choiceCookie(choice: OptionKey): string {
  return `vote=${choice}; Path=/; Max-Age=${ONE_YEAR_SECONDS}; SameSite=Lax`;
}

/** Sent with a 400 for a malformed id, so the browser's next visit starts clean. */
export const CLEAR_VOTER_ID_COOKIE = "voter_id=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax";
