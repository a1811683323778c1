/** Time for everything that expires (sessions, event retention, daily limits): the sandbox's shared clock. */
export { ScaledClock, systemClock, type Clock } from '../shared/clock';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
