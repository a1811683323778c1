import { createBridge } from './bridge';
import { runMain } from './server/main';

void runMain(createBridge);
