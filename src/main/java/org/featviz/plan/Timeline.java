package org.featviz.plan;

/**
 * Plan time, the clock that buffer lifetimes are measured on. For S steps: the inputs are uploaded
 * at 0, forward step k runs at 1 + k, the targets are read (and gradient seeds written) at S + 1,
 * the backward of step k runs at 2S + 1 - k (last step first), and the input gradients are read at
 * 2S + 2. Intervals are closed: two storages live at the same instant never share memory, so a
 * step's output never lands on its own inputs.
 */
record Timeline(int steps) {
  int upload() {
    return 0;
  }

  int forward(int step) {
    return 1 + step;
  }

  int readForward() {
    return steps + 1;
  }

  int backward(int step) {
    return 2 * steps + 1 - step;
  }

  int readBackward() {
    return 2 * steps + 2;
  }
}
