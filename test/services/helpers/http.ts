export interface VoteAnswer {
  status: number;
  body: string;
  setCookies: string[];
}

const FORM = "application/x-www-form-urlencoded";

/** POST / as the vote form does; `voterId` is sent as the voter_id cookie when given. */
export async function postVote(baseUrl: string, body: string, voterId?: string, extraHeaders: Record<string, string> = {}): Promise<VoteAnswer> {
  const headers: Record<string, string> = { "content-type": FORM, ...extraHeaders };
  if (voterId !== undefined) headers.cookie = `voter_id=${voterId}`;
  const response = await fetch(`${baseUrl}/`, { method: "POST", headers, body });
  return { status: response.status, body: await response.text(), setCookies: response.headers.getSetCookie() };
}

export async function getPage(baseUrl: string, cookie?: string): Promise<VoteAnswer> {
  const response = await fetch(`${baseUrl}/`, { headers: cookie === undefined ? {} : { cookie } });
  return { status: response.status, body: await response.text(), setCookies: response.headers.getSetCookie() };
}

/** The value of cookie `name` among Set-Cookie headers, if set. */
export function cookieValue(setCookies: string[], name: string): string | undefined {
  for (const header of setCookies) {
    const [pair] = header.split(";");
    const eq = pair.indexOf("=");
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1);
  }
  return undefined;
}
