import { attachmentSettings, questionDeps } from '../questions/questions.context.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { ReplyAddressing } from './inbound.address.ts';
import { addressOf } from './inbound.parse.ts';
import type { InboundDeps } from './inbound.usecases.ts';

/** Dependencies of receiving one mail, from the runtime as it is now (its public address is fixed after the listener starts). */
export function inboundDeps(runtime: Runtime, addressing: ReplyAddressing): InboundDeps {
  const { config } = runtime;
  return {
    ...questionDeps({ runtime }),
    addressing,
    newAddress: config.inboundNewAddress,
    ourAddress: addressOf(config.mailFrom),
    reopenDays: config.reopenDays,
    attachmentSettings: attachmentSettings({ runtime }),
    log: runtime.log,
  };
}
