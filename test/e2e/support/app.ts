import { MissingPackagesError, missingPackages } from "../../../setup/debian";

/** Fails the test file at once, with the install line, when a Debian package the local target needs is missing. */
export function requireLocalPackages(): void {
  const missing = missingPackages("local");
  if (missing.length > 0) throw new MissingPackagesError(missing);
}

/** Sets the share of vote requests answered 500 on purpose (PUT /-/fault). */
export async function setFaultRatio(voteUrl: string, errorRatio: number): Promise<void> {
  const response = await fetch(`${voteUrl}/-/fault`, { method: "PUT", body: JSON.stringify({ errorRatio }), signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`PUT /-/fault answered ${response.status}: ${await response.text()}`);
}

/** Status of one vote POSTed as a fresh voter (the drills' probe of what users get). */
export async function postVoteStatus(voteUrl: string): Promise<number> {
  const response = await fetch(`${voteUrl}/`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `voter_id=probe-${Date.now()}` },
    body: "vote=a",
    signal: AbortSignal.timeout(5_000),
  });
  await response.arrayBuffer();
  return response.status;
}
