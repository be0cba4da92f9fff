#!/usr/bin/env bash
# Prints the CMAKE_ARGS for llama-cpp-python on this machine.
# Why portable flags: the default native build enables AMX on some Xeons and
# segfaults on the first decode (llama.cpp bug); these flags avoid it.
set -eu
args="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DLLAVA_BUILD=OFF"
if [ "${CAUSERIE_CPU_ONLY:-0}" != "1" ] && command -v nvcc >/dev/null 2>&1 && command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  args="$args -DGGML_CUDA=on"
fi
printf '%s\n' "$args"
