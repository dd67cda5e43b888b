#pragma once
// The hand-over between engine stages (GStreamer's `queue`, DeepStream's batched buffers between
// elements): a FIFO with a capacity, a way to close it, and waits that can time out.
//   push      blocks while the queue is full (back-pressure); false once closed.
//   tryPush   never blocks: false when full or closed (best-effort work such as previews).
//   pop       blocks until an item arrives, or returns nothing once closed and drained.
//   popFor    the same with a time limit (callers that do periodic work while idle).
//   closed    whether close() was called (an empty popFor then means: drained, stop).
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

namespace vigil {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {
    if (capacity == 0) throw std::invalid_argument("BoundedQueue: capacity must be at least 1");
  }
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  bool push(T item) {
    std::unique_lock lock(mu_);
    notFull_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    lock.unlock();
    notEmpty_.notify_one();
    return true;
  }

  bool tryPush(T item) {
    {
      std::lock_guard lock(mu_);
      if (closed_ || items_.size() >= capacity_) return false;
      items_.push_back(std::move(item));
    }
    notEmpty_.notify_one();
    return true;
  }

  std::optional<T> pop() {
    std::unique_lock lock(mu_);
    notEmpty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    return takeLocked(lock);
  }

  template <typename Rep, typename Period>
  std::optional<T> popFor(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock lock(mu_);
    notEmpty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); });
    return takeLocked(lock);
  }

  // Wakes every waiter; pushes fail from now on, pops drain what is left.
  void close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    notEmpty_.notify_all();
    notFull_.notify_all();
  }

  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }
  bool empty() const { return size() == 0; }
  size_t capacity() const { return capacity_; }

 private:
  std::optional<T> takeLocked(std::unique_lock<std::mutex>& lock) {
    if (items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    lock.unlock();
    notFull_.notify_one();
    return item;
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable notEmpty_, notFull_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace vigil
