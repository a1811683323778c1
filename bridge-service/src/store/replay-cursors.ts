import type { LeaseFence } from './leases';

/**
 * Where the CometD subscriber keeps its place, per channel: the last replay id whose event is durably stored as a
 * job. Saved only after the job is stored, so a crash replays rather than loses.
 */
export interface ReplayCursorRepository {
  getReplayId(channel: string): Promise<number | null>;
  /**
   * When the channel's cursor was last saved (epoch ms, the store's clock): about when the bridge last stored an event
   * from it. After a gap, what was published since may be lost (sync/reconcile.ts). Null when it never was.
   */
  savedAt(channel: string): Promise<number | null>;
  saveReplayId(channel: string, replayId: number): Promise<void>;
  /**
   * Saves the replay id only while `fence` (the subscriber's lease) is still held under its token, so a
   * subscriber that lost its lease cannot move the cursor. Returns whether it saved.
   */
  saveFencedReplayId(channel: string, replayId: number, fence: LeaseFence): Promise<boolean>;
}
