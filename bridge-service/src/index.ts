import { createHost } from './host/host';
import { runMain } from './server/main';

void runMain(createHost);
