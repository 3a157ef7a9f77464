// How a micro-batch becomes the forward graph's inputs: sequences packed into rows, each attending only
// to itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "trainer_types.h"

namespace polytune {

// Where each sequence of a micro-batch goes: first-fit decreasing into rows as long as the longest one.
struct row_plan {
    int C = 0, R = 0;
    std::vector<int> row, offset;   // per sequence
    std::vector<size_t> start;      // per sequence, in the concatenated input
};

row_plan plan_rows(const std::vector<int32_t> & lengths);

struct packed_inputs {
    std::vector<int32_t> tokens, pos;
    std::vector<float> mask;        // [C_k, C_q, 1, R]
};

packed_inputs pack(const std::vector<int32_t> & tokens, const std::vector<int32_t> & lengths, const row_plan & p);

// A bad micro-batch is the caller's error, said in plain words before any graph is built.
void validate_batch(const batch & b, int n_vocab);

} // namespace polytune
