// tests/sync/policy_test.cpp — batch sizing and backoff bounds.
#include "sync/policy.h"

#include <doctest/doctest.h>

using namespace fieldsync::sync;
using ms = std::chrono::milliseconds;

TEST_CASE("the batch budget doubles on success up to the maximum") {
  BatchSizer s({/*initial=*/4096, /*min=*/1024, /*max=*/20000});
  CHECK(s.budget() == 4096);
  s.OnSuccess();
  CHECK(s.budget() == 8192);
  s.OnSuccess();
  CHECK(s.budget() == 16384);
  s.OnSuccess();
  CHECK(s.budget() == 20000);
  s.OnSuccess();
  CHECK(s.budget() == 20000);
}

TEST_CASE("the batch budget halves on a timeout down to the minimum") {
  BatchSizer s({8192, 1024, 1u << 20});
  s.OnTimeout();
  CHECK(s.budget() == 4096);
  s.OnTimeout();
  s.OnTimeout();
  CHECK(s.budget() == 1024);
  s.OnTimeout();
  CHECK(s.budget() == 1024);
  s.OnSuccess();
  CHECK(s.budget() == 2048);
}

TEST_CASE("a 413 sets the budget to half of what was refused") {
  BatchSizer s({1u << 20, 1024, 1u << 20});
  s.OnTooLarge(300000);
  CHECK(s.budget() == 150000);
  s.OnTooLarge(1500);
  CHECK(s.budget() == 1024);
}

TEST_CASE("nonsense limits are made consistent") {
  BatchSizer s({100, 5000, 10});
  CHECK(s.budget() == 5000);
  CHECK(s.limits().max_bytes == 5000);
}

TEST_CASE("backoff delays stay under a ceiling that doubles up to the cap") {
  Backoff b(ms(1000), ms(300000), 42);
  int64_t expected_ceiling = 1000;
  for (int n = 0; n < 20; ++n) {
    CHECK(b.Ceiling().count() == expected_ceiling);
    ms d = b.Next();
    CHECK(d.count() >= 0);
    CHECK(d.count() <= expected_ceiling);
    expected_ceiling = std::min<int64_t>(expected_ceiling * 2, 300000);
  }
  CHECK(b.Ceiling().count() == 300000);
  b.Reset();
  CHECK(b.Ceiling().count() == 1000);
}

TEST_CASE("backoff has full jitter: delays spread over the whole range") {
  Backoff b(ms(1000), ms(1000), 7);  // ceiling fixed at 1 s
  int low = 0, high = 0;
  for (int i = 0; i < 400; ++i) {
    ms d = b.Next();
    if (d.count() < 250) ++low;
    if (d.count() > 750) ++high;
  }
  CHECK(low > 40);  // ~100 expected
  CHECK(high > 40);
}

TEST_CASE("backoff is deterministic for a seed") {
  Backoff a(ms(500), ms(60000), 99), b(ms(500), ms(60000), 99);
  for (int i = 0; i < 10; ++i) CHECK(a.Next() == b.Next());
}
