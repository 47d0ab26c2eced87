// The concurrency slots the leading scheduler lets this worker keep between calls (kept slots, see
// docs/scheduling.md). A call the scheduler placed with a kept lease adds one; a call sent straight to the
// worker runs only in a free one, so the worker never runs more of a function's calls at once than the
// scheduler admitted. A slot unused for a while is given back, as is every unused one the scheduler recalls.
import type { Lease, RunningLease } from "@lambent/protocol";

export interface KeptSlot {
  readonly lease: Lease;
  readonly functionName: string;
  memoryMb: number;
  busy: boolean;
  /** performance.now() milliseconds of the last call's end. */
  lastUsed: number;
  /** Recalled while in use: given back when its call ends instead of being kept. */
  returning?: boolean;
}

export class KeptSlots {
  private readonly byFunction = new Map<string, KeptSlot[]>();
  private count = 0;

  /** A kept lease arrived with the call the scheduler placed: the slot is busy with that call. */
  add(lease: Lease, functionName: string, memoryMb: number): KeptSlot {
    const slot: KeptSlot = { lease, functionName, memoryMb, busy: true, lastUsed: performance.now() };
    let slots = this.byFunction.get(functionName);
    if (!slots) {
      slots = [];
      this.byFunction.set(functionName, slots);
    }
    slots.push(slot);
    this.count++;
    return slot;
  }

  /** A free slot of the function, now busy; undefined when every kept one is in use (or there is none). */
  take(functionName: string): KeptSlot | undefined {
    const slots = this.byFunction.get(functionName);
    if (!slots) return undefined;
    for (const slot of slots) {
      if (slot.busy || slot.returning) continue;
      slot.busy = true;
      return slot;
    }
    return undefined;
  }

  free(slot: KeptSlot): void {
    slot.busy = false;
    slot.lastUsed = performance.now();
  }

  /** Removes and returns the free slots `give` chooses (to be released to the scheduler). */
  giveBack(give: (slot: KeptSlot) => boolean): KeptSlot[] {
    const given: KeptSlot[] = [];
    for (const [functionName, slots] of this.byFunction) {
      const kept = slots.filter((slot) => slot.busy || !give(slot) || (given.push(slot), false));
      if (kept.length === 0) this.byFunction.delete(functionName);
      else if (kept.length !== slots.length) this.byFunction.set(functionName, kept);
    }
    this.count -= given.length;
    return given;
  }

  /** Marks the slots in use that `give` chooses to go back when their calls end; returns how many. */
  returnWhenDone(give: (slot: KeptSlot) => boolean): number {
    let marked = 0;
    for (const slots of this.byFunction.values()) {
      for (const slot of slots) {
        if (!slot.busy || slot.returning || !give(slot)) continue;
        slot.returning = true;
        marked++;
      }
    }
    return marked;
  }

  /** Free slots unused since `before` (performance.now() milliseconds). */
  idleSince(before: number): (slot: KeptSlot) => boolean {
    return (slot) => slot.lastUsed < before;
  }

  get size(): number {
    return this.count;
  }

  /** Every kept slot, as the worker's heartbeat reports it to a new leader. */
  list(): RunningLease[] {
    const list: RunningLease[] = [];
    for (const slots of this.byFunction.values()) {
      for (const { lease, functionName, memoryMb, busy } of slots) {
        list.push({ term: lease.term, leaseId: lease.leaseId, functionName, memoryMb, kept: true, ...(busy ? {} : { idle: true }) });
      }
    }
    return list;
  }
}
