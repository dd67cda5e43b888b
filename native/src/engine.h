#pragma once
// The engine: sources → batcher (letterbox) → inference thread → post-processing thread (parse,
// per-source trackers) → listener callbacks once per batch. Previews and snapshots are encoded on a
// worker thread (the OSD stage). The stages live under engine/ (see the private section below).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "analytics/analytics.h"
#include "batch_preprocess.h"
#include "bounded_queue.h"
#include "device_stand_in.h"
#include "inference.h"
#include "manifest.h"
#include "source.h"
#include "tracking/tracker.h"

namespace vigil {

class Osd;

enum class WarmShapes { Never, Gpu, Always };

struct EngineConfig {
  std::string model;              // manifest path or model name
  int batchSize = 4;              // nvstreammux batch-size
  int batchedPushTimeoutMs = 40;  // nvstreammux batched-push-timeout: a partial batch goes once its oldest frame waited this long
  int interval = 0;               // nvinfer interval: frames skipped between inferences (0: infer every frame)
  TrackerKind tracker = TrackerKind::Iou;
  TrackerConfig trackerConfig;
  int previewFps = 0;      // 0: no previews
  int previewWidth = 640;  // 0: source width
  int previewHeight = 0;   // 0: keep the source aspect
  bool snapshots = true;   // JPEG with the box drawn for each ended track's best frame
  int statsIntervalMs = 1000;
  int intraOpThreads = 0;              // ONNX Runtime threads (0: its default)
  int preprocessThreads = 0;           // CPU letterbox workers (0: by cores and batch, see defaultPreprocessThreads)
  std::vector<std::string> providers;  // execution provider preference (empty: the manifest's)
  // Run each batch shape in use once at start (InferenceSession::warm): on GPU providers by default,
  // where a new shape costs allocations, cuDNN autotuning or a TensorRT profile; on the CPU provider a
  // new shape costs next to nothing (measured: within noise) while warming delays the start.
  WarmShapes warmBatchShapes = WarmShapes::Gpu;
  // Scheduling (how batches are formed and run; `vigil-engine schedule` measures them without a GPU).
  // Frames a live source may have waiting before its oldest is dropped as stale (0: the default, 3 on
  // the GPU path, 2 on the CPU path; VIGIL_LIVE_QUEUE overrides the default).
  int liveQueueDepth = 0;
  // GPU path: a partial batch also goes as soon as no session run is in flight (not only when full or
  // after batchedPushTimeoutMs). Lower latency at low load, but on the CUDA device path every run costs
  // the full batch shape: `vigil-engine schedule`, 32 streams, GPU busy 73 % instead of 22 % for p95 28
  // instead of 42 ms, and no gain at 120 streams. Off by default.
  bool pushWhenIdle = false;
  // Session runs in flight at once (0: the default, 2 on the CUDA device path, else 1): with two, one
  // run's launch, output copy and synchronisation overlap the other's kernels. Each needs an input
  // buffer; one more is filled meanwhile. The CPU path always runs one.
  int inferenceRuns = 0;
  // Benchmarks only (`vigil-engine schedule`): stands in for the GPU (letterbox + session run) that
  // cannot run on this machine; everything else in the engine stays real. Empty in the app.
  std::shared_ptr<DeviceStandIn> deviceStandIn;
};

struct EngineObject {
  int64_t track = 0;
  int classId = 0;
  float score = 0;
  Box box;
  bool inferred = false;
};

struct EngineFrame {
  std::string camera;
  int64_t frame = 0;
  double pts = 0;
  int64_t time = 0;
  int width = 0, height = 0;
  double latencyMs = 0;  // decode → metadata out
  bool inferred = false;
  std::vector<EngineObject> objects;
  // The camera's analytics (none configured: both empty): what happened in this frame, and every
  // zone's and line's counts after it.
  std::vector<analytics::Event> analytics;
  std::vector<analytics::RegionCounts> counts;
};

struct EngineTrackEvent {
  TrackEventKind kind = TrackEventKind::Start;
  std::string camera;
  int64_t track = 0;
  int classId = 0;
  int64_t time = 0;
  Box box;
  float score = 0;
  int64_t bestFrame = -1;
  int64_t bestTime = 0;
  float bestScore = 0;
  Box bestBox;
};

struct EngineBatch {
  std::vector<EngineFrame> frames;
  std::vector<EngineTrackEvent> events;
};

struct EnginePreview {
  std::string camera;
  int64_t frame = 0;
  int width = 0, height = 0;
  std::vector<uint8_t> jpeg;
};

struct EngineSnapshot {
  std::string camera;
  int64_t track = 0;
  int64_t frame = 0;
  int64_t time = 0;
  std::vector<uint8_t> jpeg;
};

struct EngineStreamStats {
  std::string camera;
  std::string state;
  std::string error;
  double decodeFps = 0, inferFps = 0;
  int64_t droppedFrames = 0;
  double latencyMs = 0;
  int64_t framesDecoded = 0, framesProcessed = 0, framesInferred = 0;
  // Frames due for inference (interval, detectFps) that motion gating skipped because the camera was
  // still: the inferences saved are framesGated / (framesGated + framesInferred).
  int64_t framesGated = 0;
};

// Called from engine threads; implementations must be thread-safe and return quickly.
class EngineListener {
 public:
  virtual ~EngineListener() = default;
  virtual void onBatch(EngineBatch&&) {}
  virtual void onPreview(EnginePreview&&) {}
  virtual void onSnapshot(EngineSnapshot&&) {}
  virtual void onStats(std::vector<EngineStreamStats>&&) {}
  virtual void onSourceError(const std::string& camera, const std::string& message) {
    (void)camera;
    (void)message;
  }
  // A recorded camera closed a video segment (SourceOptions::record).
  virtual void onSegment(SegmentInfo&&) {}
};

class Engine {
 public:
  // Loads the model and starts the batcher, inference and post-processing threads. Throws
  // std::runtime_error naming the model.
  Engine(EngineConfig config, EngineListener* listener);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // A bad URI is reported through onSourceError (and the stream's stats), never thrown;
  // a duplicate id throws std::invalid_argument.
  // `zones` (optional): the camera's analytics from its first frame; a label the model lacks throws
  // std::invalid_argument before the source starts, as does a motion sensitivity outside 1..100.
  void addSource(const std::string& id, const std::string& uri, const SourceOptions& options = {},
                 std::shared_ptr<const analytics::Config> zones = nullptr);
  // Replaces one camera's analytics live (nullptr: none); its counts start again, the other cameras
  // are untouched. False when the camera is unknown; throws std::invalid_argument like addSource.
  bool setAnalytics(const std::string& id, std::shared_ptr<const analytics::Config> zones);
  // An app-fed live source (like appsrc): frames given to the returned function enter the same queue a
  // camera's decoder feeds (the oldest dropped when it is full). For benchmarks and tests; throws like
  // addSource for a duplicate id.
  std::function<void(Frame&&)> addFeed(const std::string& id);
  // Ends the source's tracks (end events) and stops its pipeline. False when unknown.
  bool removeSource(const std::string& id);
  std::vector<EngineStreamStats> stats();
  // Where each stage's time went since the engine started, ms (stages overlap): for bench reports.
  struct StageTimes {
    double preprocess = 0, infer = 0, post = 0, deliver = 0;
    int64_t batches = 0, frames = 0;
    int64_t deviceFrames = 0;   // frames inferred straight from GPU memory (NVDEC, no host copy)
    double firstFullInfer = 0;  // the first full batch's session run, ms (what warming the batch shapes saves)
  };
  // The batch shapes run once at start and what each took, ms (empty with warmBatchShapes off).
  const std::vector<std::pair<int, double>>& warmedShapes() const { return warmed_; }
  StageTimes stageTimes() const;
  // True when every source has ended or failed and all its frames are processed.
  bool idle();
  void stop();

  const ModelManifest& manifest() const { return manifest_; }
  const std::string& provider() const { return session_->provider(); }
  const std::string& providerNote() const { return session_->providerNote(); }
  const std::string& modelFile() const { return session_->modelFile(); }  // the FP16 variant on a GPU provider when there is one
  int batchSize() const { return batchSize_; }
  int inferenceRuns() const { return static_cast<int>(inferThreads_.size()); }
  int liveQueueDepth() const { return static_cast<int>(liveDepth_); }
  // Where frames are letterboxed: "cuda" (GPU kernel, IO binding) or "cpu" (worker pool); the note says why not CUDA.
  const char* preprocessPath() const { return preprocess_->path(); }
  const std::string& preprocessNote() const { return preprocess_->note(); }
  int preprocessThreads() const { return preprocess_->threads(); }

 private:
  struct Slot;
  struct Work;
  // The stages, like nvstreammux → nvinfer → nvtracker → nvdsosd, each in its own file under
  // engine/, joined by BoundedQueues:
  //   sources.cpp   decoded frames into each source's queue (the muxer's inputs)
  //   batcher.cpp   forms a batch and letterboxes it into a free input buffer
  //   infer.cpp     runs the session on it (inferenceRuns threads, each its own input buffer)
  //   post.cpp      parses, tracks and delivers (own thread on the GPU path; on the CPU path the
  //                 inference thread does it between runs: ONNX Runtime wants every core while it runs)
  //   osd.cpp       previews and snapshots, encoded on a worker
  // With several input buffers (CUDA path) the next batch is pre-processed while the previous ones are
  // inferred, and older ones are parsed meanwhile; post-processing takes batches in the order formed.
  void batchLoop();
  void inferLoop();
  void postLoop();
  bool detectDue(Slot& slot, double pts);
  // Motion gating: the camera is still, skip inference.
  bool stillFrame(Slot& slot, const Image& image);
  void prepareBatch(Work& work);                // batcher: which frames to infer, letterbox them
  void inferBatch(Work& work);                  // inference: run the session, keep the outputs
  void processBatch(Work& work);                // post-processing: parse, track, deliver
  void finishWork(std::unique_ptr<Work> work);  // processBatch, end finished sources' tracks, stats
  void finishSlot(Slot& slot, EngineBatch* out);
  EngineTrackEvent deliverable(const Slot& slot, const TrackEvent& e, int64_t time) const;
  void sendSnapshot(Slot& slot, int64_t track);
  void releaseBuffer(int buffer);           // -1: none
  void enqueue(Slot& slot, Frame&& frame);  // a decoded frame into its source's queue (sources.cpp)
  void takeOldest(Work& work);              // batcher: the batch's frames, oldest first (with mu_ held)
  void emitStats();
  void resizeQueues();  // with mu_ held

  EngineConfig config_;
  EngineListener* listener_;
  ModelManifest manifest_;
  std::unique_ptr<InferenceSession> session_;
  std::vector<std::pair<int, double>> warmed_;
  std::unique_ptr<BatchPreprocessor> preprocess_;
  int batchSize_ = 1;

  std::mutex mu_;  // sources_, retired_, every slot's queue
  std::condition_variable framesReady_;
  std::map<std::string, std::shared_ptr<Slot>> sources_;
  std::vector<std::shared_ptr<Slot>> retired_;
  size_t liveDepth_ = 2;
  uint64_t nextSeq_ = 0;                  // batcher: the next batch's number (post-processing keeps this order)
  std::atomic<int> inferencePending_{0};  // batches handed to inference and not yet run (queued or running)
  std::atomic<bool> running_{true};
  mutable std::mutex stageMu_;
  StageTimes stages_;
  std::atomic<int> inFlight_{0};  // batches taken from the queues and not yet delivered
  // Free input buffers (indices): the batcher takes one per batch, inference gives it back once the
  // run has read it.
  std::unique_ptr<BoundedQueue<int>> freeBuffers_;
  std::unique_ptr<BoundedQueue<std::unique_ptr<Work>>> toInfer_;  // batcher → inference
  std::unique_ptr<BoundedQueue<std::unique_ptr<Work>>> toPost_;   // inference → post-processing (GPU path)
  bool overlapPost_ = false;                                      // a post-processing thread (GPU path); else the inference thread does it
  std::unique_ptr<WorkerPool> postPool_;                          // parses a batch's outputs per image
  std::unique_ptr<Osd> osd_;
  std::thread batchThread_, postThread_;
  std::vector<std::thread> inferThreads_;
  std::chrono::steady_clock::time_point lastStats_;
};

}  // namespace vigil
