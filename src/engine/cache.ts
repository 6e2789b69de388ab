// A cache of compiled things that hold core memory (losses, breakpoint checks): bounded by entries and bytes,
// least recently used out first. An entry in use (leased by a request or a run) is freed when its last lease ends.
import type { CacheUsage } from '../shared/engineApi';

export interface CacheLimits {
  entries: number;
  bytes: number;
}


/** The use of a cached value; release it when done (once; later calls do nothing). */
export interface Lease<T> {
  readonly value: Promise<T>;
  release(): void;
}

interface Entry<T> {
  value: Promise<T>;
  /** Set once the value is ready. */
  ready?: T;
  bytes: number;
  leases: number;
  evicted: boolean;
  /** Evicted while leased: counted in retained until freed. */
  retained: boolean;
}

export class LruCache<T> {
  /** In order of use, least recent first. */
  private readonly entries = new Map<string, Entry<T>>();
  private bytes = 0;
  private retained = 0;

  constructor(
    private readonly limits: CacheLimits,
    /** The estimated bytes of a value (beside its key). */
    private readonly sizeOf: (value: T) => number,
    private readonly free: (value: T) => void,
  ) {}

  /** The value for key, made by create when missing (a failed creation is not kept). */
  acquire(key: string, create: () => Promise<T>): Lease<T> {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      entry = this.add(key, create);
    }
    const held = entry;
    held.leases++;
    let released = false;
    return {
      value: held.value,
      release: () => {
        if (released) return;
        released = true;
        held.leases--;
        if (held.evicted && held.leases === 0) this.dispose(held);
      },
    };
  }

  usage(): CacheUsage {
    return { entries: this.entries.size, bytes: this.bytes, retained: this.retained };
  }

  private add(key: string, create: () => Promise<T>): Entry<T> {
    const entry: Entry<T> = { value: create(), bytes: key.length, leases: 0, evicted: false, retained: false };
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    entry.value.then(
      (value) => {
        entry.ready = value;
        const bytes = this.sizeOf(value);
        entry.bytes += bytes;
        this.bytes += bytes;
        this.trim();
      },
      () => {
        if (this.entries.get(key) !== entry) return;
        this.entries.delete(key);
        this.bytes -= entry.bytes;
      },
    );
    this.trim();
    return entry;
  }

  private trim(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.limits.entries && this.bytes <= this.limits.bytes) return;
      // A value still being made has a lease (its request waits for it), and is evicted once ready if need be.
      if (entry.ready === undefined) continue;
      this.entries.delete(key);
      this.bytes -= entry.bytes;
      entry.evicted = true;
      if (entry.leases === 0) {
        this.dispose(entry);
      } else {
        entry.retained = true;
        this.retained++;
      }
    }
  }

  private dispose(entry: Entry<T>): void {
    if (entry.retained) {
      entry.retained = false;
      this.retained--;
    }
    if (entry.ready !== undefined) this.free(entry.ready);
  }
}
