/** Matrix error answers: one class, one table from errcode to HTTP status. */

export type Errcode = 'M_NOT_JSON' | 'M_BAD_JSON' | 'M_TOO_LARGE' | 'M_UNRECOGNIZED' | 'M_LIMIT_EXCEEDED' | 'M_UNKNOWN';

/** Status for the errcodes whose status does not vary. */
const STATUS: Record<Exclude<Errcode, 'M_UNRECOGNIZED'>, number> = {
  M_NOT_JSON: 400, // body is not UTF-8 JSON
  M_BAD_JSON: 400, // JSON of the wrong shape; the message names the field
  M_TOO_LARGE: 413, // over http.max_body_bytes
  M_LIMIT_EXCEEDED: 503, // global or per-app in-flight limit; comes with Retry-After
  M_UNKNOWN: 502, // a provider's temporary failure outlived retries or the deadline
};

export class MatrixError {
  constructor(
    readonly errcode: Errcode,
    readonly error: string,
    /** M_UNRECOGNIZED is 404 or 405; others follow the table. */
    readonly status: number = errcode === 'M_UNRECOGNIZED' ? 404 : STATUS[errcode],
    readonly retryAfterSeconds?: number,
  ) {}

  toJSON(): { errcode: Errcode; error: string } {
    return { errcode: this.errcode, error: this.error };
  }
}
