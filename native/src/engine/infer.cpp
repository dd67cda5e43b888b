// The inference stage (nvinfer's run): inferenceRuns threads, each taking the next batch and running
// the session on the input buffer the batcher filled; the buffer goes back to the batcher as soon as
// the run has read it. Several runs in flight overlap one run's host work (launches, output copy,
// synchronisation) with another's kernels; post-processing puts the batches back in order.
#include <utility>

#include "engine/internal.h"

namespace vigil {

void Engine::inferLoop() {
  while (true) {
    std::unique_ptr<Work> work = toInfer_->popFor(std::chrono::milliseconds(100)).value_or(nullptr);
    if (!work) {
      if (toInfer_->closed()) break;   // another inference thread handed on the last batch
      if (!overlapPost_) emitStats();  // stats keep flowing while no frame arrives
      continue;
    }
    if (!work->batch.empty()) inferBatch(*work);
    const bool last = work->last;
    if (!overlapPost_) {
      // CPU provider: ONNX Runtime wants every core while it runs; parse and track in between.
      finishWork(std::move(work));
    } else {
      toPost_->push(std::move(work));  // waits while batches wait for post-processing
    }
    if (last) {
      toInfer_->close();  // the other inference threads stop once they are idle
      break;
    }
  }
}

void Engine::inferBatch(Work& work) {
  const auto t1 = Clock::now();
  if (work.count > 0 && work.failure.empty()) {
    try {
      if (config_.deviceStandIn)
        config_.deviceStandIn->infer(work.count, batchSize_);  // STAND-IN for the GPU run (benchmarks only)
      else
        work.outputs = session_->infer(work.count, preprocess_->input(work.buffer));
    } catch (const std::exception& e) {
      work.failure = e.what();
    }
  }
  releaseBuffer(std::exchange(work.buffer, -1));  // the run has read its input: the batcher may fill it again
  {
    // The batcher may be waiting for inference to go idle (EngineConfig::pushWhenIdle).
    std::lock_guard lock(mu_);
    --inferencePending_;
  }
  framesReady_.notify_one();
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t1).count();
  std::lock_guard lock(stageMu_);
  stages_.infer += ms;
  if (stages_.firstFullInfer == 0 && work.count == batchSize_ && work.failure.empty()) stages_.firstFullInfer = ms;
}

void Engine::releaseBuffer(int buffer) {
  if (buffer >= 0) freeBuffers_->push(buffer);
}

}  // namespace vigil
