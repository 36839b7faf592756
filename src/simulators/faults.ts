/** Transport faults a resilience test can switch on while a simulator runs. */
export interface Faults {
  /** Added before every answer, in milliseconds. */
  latencyMs?: number;
  /** Accept requests and never answer them. */
  stall?: boolean;
  /**
   * Abort each request this many milliseconds after it arrives, without answering: an HTTP/2
   * RST_STREAM (INTERNAL_ERROR) on APNs, a destroyed socket on FCM.
   */
  resetAfterMs?: number;
  /** APNs only, one-shot: the next request gets a GOAWAY that refuses it, then the session closes. */
  goaway?: boolean;
  /** Refuse TLS handshakes with a fatal handshake_failure alert. */
  tlsFail?: boolean;
  /** The next N requests are answered 503 (counts down). */
  status5xxBurst?: number;
  /** FCM only: the OAuth token endpoint answers 503 while set. */
  tokenEndpointFail?: boolean;
}

export class FaultState {
  private faults: Faults = {};

  /** Replaces every fault at once: `set({})` clears them. */
  set(faults: Faults): void {
    this.faults = { ...faults };
  }

  get current(): Readonly<Faults> {
    return this.faults;
  }

  /** True when this request is one of the remaining 5xx burst. */
  takeBurst(): boolean {
    const remaining = this.faults.status5xxBurst ?? 0;
    if (remaining <= 0) return false;
    this.faults.status5xxBurst = remaining - 1;
    return true;
  }

  takeGoaway(): boolean {
    if (!this.faults.goaway) return false;
    this.faults.goaway = false;
    return true;
  }
}

/** A fatal TLS alert record (TLS 1.2 framing, handshake_failure), understood by every client. */
export const TLS_HANDSHAKE_FAILURE_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
