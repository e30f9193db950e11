// Lamport logical clocks: tick on local events and sends, max-plus-one on receive, so that if a
// happened before b then L(a) < L(b). Bound: values stay below 2^53 (checked).

export class LamportClock {
  private t = 0;

  get time(): number {
    return this.t;
  }

  /** A local event; returns its stamp. */
  tick(): number {
    if (this.t >= Number.MAX_SAFE_INTEGER) throw new RangeError('Lamport clock overflow');
    return ++this.t;
  }

  /** Stamp for an outgoing message. */
  send(): number {
    return this.tick();
  }

  /** Merge the stamp of a received message; returns the receive event's stamp. */
  receive(stamp: number): number {
    if (!Number.isSafeInteger(stamp) || stamp < 0) return this.tick(); // a bad stamp is ignored, not trusted
    if (stamp > this.t) this.t = stamp;
    return this.tick();
  }
}
