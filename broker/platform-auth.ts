import type { DeviceAuthenticator, DeviceIdentity } from "./auth.ts";

/**
 * Device authentication for a cluster broker: each CONNECT's credentials are checked by the
 * platform (POST /api/broker/authenticate), which holds the device secrets. A platform that cannot
 * be reached means the device is refused (CONNACK 4) and tries again, never let in unchecked.
 */
export class PlatformAuthenticator implements DeviceAuthenticator {
  constructor(
    private readonly platformUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 5000,
  ) {}

  async authenticate(
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<{ ok: true; device: DeviceIdentity } | { ok: false; reason: string }> {
    if (!username || !password || password.length === 0)
      return { ok: false, reason: "no username or password" };
    let response: Response;
    try {
      response = await fetch(new URL("/api/broker/authenticate", this.platformUrl), {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.token}` },
        body: JSON.stringify({ username, password: password.toString("utf8") }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      return { ok: false, reason: `platform unreachable: ${(error as Error).message}` };
    }
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      return { ok: false, reason: `platform refused the check (${response.status}): ${text.slice(0, 200)}` };
    }
    return (await response.json()) as { ok: true; device: DeviceIdentity } | { ok: false; reason: string };
  }
}
