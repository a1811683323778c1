// Child process for the subscriber's shutdown test: subscribes, loses Salesforce (the emulator closes under it), is
// stopped, and must then let the process exit on its own. Run with `node --require tsx/cjs <this file>`.
import pino from 'pino';
import { bridgeSalesforceConfig, frozenClock, startTestEmulator } from '../../../sandbox/salesforce/test-helpers';
import { connectSalesforce } from '../connection';
import { createEventSubscriber } from '../event-subscriber';
import { salesforceNames } from '../schema';

async function main(): Promise<void> {
  const log = pino({ level: 'silent' });
  const em = await startTestEmulator({ clock: frozenClock(Date.now()), cometdTimeoutSeconds: 1 });
  const conn = await connectSalesforce(bridgeSalesforceConfig(em), log);
  const subscriber = createEventSubscriber({
    conn,
    channel: salesforceNames('').channel('Invoice_Request__e'),
    cursor: { getReplayId: async () => null, saveReplayId: async () => undefined },
    handle: async () => undefined,
    onGap: () => undefined,
    reauthenticate: async () => undefined,
    log,
  });
  await subscriber.start();
  await em.close();
  await subscriber.stop();
  process.stdout.write('stopped');
}

void main();
