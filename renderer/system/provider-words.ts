// ONNX Runtime's execution-provider names in the operators' words.
const PROVIDER_WORDS: Record<string, string> = {
  TensorrtExecutionProvider: 'NVIDIA GPU (TensorRT)',
  CUDAExecutionProvider: 'NVIDIA GPU (CUDA)',
  CPUExecutionProvider: 'CPU',
};

export function providerWords(name: string): string {
  return PROVIDER_WORDS[name] ?? name;
}
