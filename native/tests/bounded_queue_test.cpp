// The one hand-over type between engine stages: order, capacity (back-pressure), best-effort pushes,
// timeouts and closing, with real threads.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bounded_queue.h"

using vigil::BoundedQueue;
using namespace std::chrono_literals;

TEST(BoundedQueue, KeepsOrderAndMovesOnlyTypes) {
  BoundedQueue<std::unique_ptr<int>> q(3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.push(std::make_unique<int>(i)));
  EXPECT_EQ(q.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    auto v = q.pop();
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(**v, i);
  }
  EXPECT_TRUE(q.empty());
}

TEST(BoundedQueue, RefusesAZeroCapacity) { EXPECT_THROW(BoundedQueue<int>(0), std::invalid_argument); }

TEST(BoundedQueue, TryPushFailsWhenFullAndLeavesTheQueueAsItWas) {
  BoundedQueue<int> q(2);
  EXPECT_TRUE(q.tryPush(1));
  EXPECT_TRUE(q.tryPush(2));
  EXPECT_FALSE(q.tryPush(3));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(*q.pop(), 1);
  EXPECT_TRUE(q.tryPush(3));
  EXPECT_EQ(*q.pop(), 2);
  EXPECT_EQ(*q.pop(), 3);
}

TEST(BoundedQueue, PushWaitsForRoomThenGoesOn) {
  BoundedQueue<int> q(1);
  ASSERT_TRUE(q.push(1));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    q.push(2);  // blocks: the queue is full
    pushed = true;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(pushed.load()) << "push must wait while the queue is full";
  EXPECT_EQ(*q.pop(), 1);
  producer.join();
  EXPECT_TRUE(pushed.load());
  EXPECT_EQ(*q.pop(), 2);
}

TEST(BoundedQueue, PopForTimesOutEmptyHanded) {
  BoundedQueue<int> q(1);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(q.popFor(30ms).has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 25ms);
}

TEST(BoundedQueue, CloseWakesWaitersDrainsWhatIsLeftAndRefusesPushes) {
  BoundedQueue<int> q(1);
  ASSERT_TRUE(q.push(7));
  std::atomic<int> blockedPush{-1};
  std::thread producer([&] { blockedPush = q.push(8) ? 1 : 0; });  // waits for room
  BoundedQueue<int> empty(1);
  std::atomic<int> blockedPop{-1};
  std::thread consumer([&] { blockedPop = empty.pop().has_value() ? 1 : 0; });  // waits for an item
  std::this_thread::sleep_for(30ms);
  q.close();
  empty.close();
  producer.join();
  consumer.join();
  EXPECT_EQ(blockedPush.load(), 0) << "a push waiting on a closed queue fails";
  EXPECT_EQ(blockedPop.load(), 0) << "a pop waiting on a closed, empty queue returns nothing";
  EXPECT_FALSE(q.push(9));
  EXPECT_FALSE(q.tryPush(9));
  auto left = q.pop();
  ASSERT_TRUE(left.has_value()) << "items queued before close are still delivered";
  EXPECT_EQ(*left, 7);
  EXPECT_FALSE(q.pop().has_value());
}

TEST(BoundedQueue, ManyProducersAndConsumersLoseNothing) {
  BoundedQueue<int> q(4);
  constexpr int kProducers = 4, kPerProducer = 2000;
  std::atomic<long> sum{0};
  std::atomic<int> count{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < 3; ++c)
    threads.emplace_back([&] {
      while (auto v = q.pop()) {
        sum += *v;
        ++count;
      }
    });
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p)
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) q.push(p * kPerProducer + i);
    });
  for (auto& t : producers) t.join();
  q.close();
  for (auto& t : threads) t.join();
  const long n = long(kProducers) * kPerProducer;
  EXPECT_EQ(count.load(), n);
  EXPECT_EQ(sum.load(), n * (n - 1) / 2);
}
