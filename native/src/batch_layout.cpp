#include "batch_layout.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace polytune {

row_plan plan_rows(const std::vector<int32_t> & lengths) {
    row_plan p;
    const size_t n = lengths.size();
    p.row.assign(n, 0);
    p.offset.assign(n, 0);
    p.start.assign(n, 0);
    for (size_t i = 1; i < n; ++i) p.start[i] = p.start[i - 1] + (size_t) lengths[i - 1];
    p.C = *std::max_element(lengths.begin(), lengths.end());
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lengths[a] > lengths[b]; });
    std::vector<int> used;
    for (size_t i : order) {
        size_t r = 0;
        while (r < used.size() && used[r] + lengths[i] > p.C) ++r;
        if (r == used.size()) used.push_back(0);
        p.row[i] = (int) r;
        p.offset[i] = used[r];
        used[r] += lengths[i];
    }
    p.R = (int) used.size();
    return p;
}

packed_inputs pack(const std::vector<int32_t> & tokens, const std::vector<int32_t> & lengths, const row_plan & p) {
    packed_inputs in;
    const size_t C = (size_t) p.C, R = (size_t) p.R;
    in.tokens.assign(C * R, 0);
    in.pos.assign(C * R, 0);
    in.mask.assign(C * C * R, -INFINITY);
    std::vector<int> segment(C * R, -1);
    for (size_t s = 0; s < lengths.size(); ++s) {
        for (int i = 0; i < lengths[s]; ++i) {
            size_t slot = (size_t) p.row[s] * C + (size_t) p.offset[s] + (size_t) i;
            in.tokens[slot] = tokens[p.start[s] + (size_t) i];
            in.pos[slot] = i;
            segment[slot] = (int) s;
        }
    }
    for (size_t r = 0; r < R; ++r) {
        for (size_t q = 0; q < C; ++q) {
            float * row = in.mask.data() + (r * C + q) * C;
            int sq = segment[r * C + q];
            if (sq < 0) {
                row[q] = 0.0f;  // padding attends to itself only, so its softmax row stays finite
                continue;
            }
            for (size_t k = 0; k <= q; ++k) {
                if (segment[r * C + k] == sq) row[k] = 0.0f;
            }
        }
    }
    return in;
}

void validate_batch(const batch & b, int n_vocab) {
    if (b.lengths.empty()) throw trainer_error("bad-input", "the batch has no sequences");
    size_t total = 0;
    for (int32_t len : b.lengths) {
        if (len < 2) throw trainer_error("bad-input", "a training sequence needs at least two tokens");
        total += (size_t) len;
    }
    if (total != b.tokens.size()) throw trainer_error("bad-input", "the sequence lengths do not add up to the number of tokens");
    if (b.target.size() != b.tokens.size()) throw trainer_error("bad-input", "the target mask and the tokens differ in length");
    for (int32_t t : b.tokens) {
        if (t < 0 || t >= n_vocab) throw trainer_error("bad-input", "token id " + std::to_string(t) + " is outside the model's vocabulary of " + std::to_string(n_vocab));
    }
}

} // namespace polytune
