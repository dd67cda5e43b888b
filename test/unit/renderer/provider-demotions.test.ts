// The System page's lines for models the provider guard moved off a GPU provider (renderer/system/ProviderDemotions.tsx),
// rendered by React to markup: the model, the provider in the operators' words, why, and the unsafe operations.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ProviderDemotion } from '../../../main/api/contract.js';
import { demotionSentence, ProviderDemotions } from '../../../renderer/system/ProviderDemotions.js';

const crashed: ProviderDemotion = {
  model: 'rtdetr-r50',
  from: ['CUDAExecutionProvider'],
  to: 'CPUExecutionProvider',
  unsafeOps: ['Einsum', 'GridSample'],
  reason: 'CUDAExecutionProvider: the probe process was killed by SIGSEGV',
};

describe('System page: models kept off the GPU', () => {
  it('says in plain words which model, where it runs now, why, and the operations that crash the provider', () => {
    expect(demotionSentence(crashed)).toBe(
      "Model 'rtdetr-r50' is not run on the NVIDIA GPU (CUDA): a test run there, in a separate process, failed " +
        '(CUDAExecutionProvider: the probe process was killed by SIGSEGV). It runs on the next provider in its list, the CPU, ' +
        'and the engine kept running. It uses Einsum, GridSample, operations known to crash that provider.',
    );
    const one = { ...crashed, unsafeOps: ['Einsum'], from: ['TensorrtExecutionProvider', 'CUDAExecutionProvider'] };
    expect(demotionSentence(one)).toMatch(/not run on the NVIDIA GPU \(TensorRT\) and NVIDIA GPU \(CUDA\):.* It uses Einsum, an operation known/);
    expect(demotionSentence({ ...crashed, unsafeOps: [] })).not.toMatch(/It uses/);
  });

  it('renders one warning line per model, and nothing when no model was demoted', () => {
    const html = renderToStaticMarkup(createElement(ProviderDemotions, { demotions: [crashed, { ...crashed, model: 'other' }] }));
    expect(html).toMatch(/^<ul class="warning" role="status" data-testid="provider-demotions">/);
    expect(html.match(/<li /g)).toHaveLength(2);
    expect(html).toContain('data-testid="provider-demotion-rtdetr-r50"');
    expect(html).toContain('is not run on the NVIDIA GPU (CUDA)');
    expect(renderToStaticMarkup(createElement(ProviderDemotions, { demotions: [] }))).toBe('');
  });
});
