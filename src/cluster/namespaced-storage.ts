// A view of a node's durable storage restricted to one key prefix, so services on one node cannot
// read or clobber each other's keys.
import type { DurableStorage } from '../sim/index.js';

export class NamespacedStorage implements DurableStorage {
  constructor(private readonly inner: DurableStorage, private readonly prefix: string) {}

  get(key: string): string | undefined {
    return this.inner.get(this.prefix + key);
  }
  put(key: string, value: string): void {
    this.inner.put(this.prefix + key, value);
  }
  delete(key: string): void {
    this.inner.delete(this.prefix + key);
  }
  keys(prefix = ''): string[] {
    return this.inner.keys(this.prefix + prefix).map((k) => k.slice(this.prefix.length));
  }
  sync(): void {
    this.inner.sync();
  }
}
