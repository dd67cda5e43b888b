// The models the provider guard moved off a GPU provider, in plain words: which model, where it runs
// now instead, why (its session crashed or failed in a test run in a separate process), and the
// operations known to crash that provider.
import type { ProviderDemotion } from '../../main/api/contract';
import { providerWords } from './provider-words';

/** One demotion as a sentence an operator can act on. */
export function demotionSentence(d: ProviderDemotion): string {
  const from = d.from.map(providerWords).join(' and ');
  const ops =
    d.unsafeOps.length > 0
      ? ` It uses ${d.unsafeOps.join(', ')}, ${d.unsafeOps.length === 1 ? 'an operation' : 'operations'} known to crash that provider.`
      : '';
  return (
    `Model '${d.model}' is not run on the ${from}: a test run there, in a separate process, failed (${d.reason}). ` +
    `It runs on the next provider in its list, the ${providerWords(d.to)}, and the engine kept running.${ops}`
  );
}

export function ProviderDemotions({ demotions }: { demotions: ProviderDemotion[] }) {
  if (demotions.length === 0) return null;
  return (
    <ul className="warning" role="status" data-testid="provider-demotions">
      {demotions.map((d) => (
        <li key={d.model} data-testid={`provider-demotion-${d.model}`}>
          {demotionSentence(d)}
        </li>
      ))}
    </ul>
  );
}
