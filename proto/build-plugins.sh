#!/usr/bin/env bash
# Builds the Swift protoc plugins (protoc-gen-swift, protoc-gen-grpc-swift-2) from
# the package's own dependencies into .build-plugins/release, for proto/generate.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
for product in protoc-gen-swift protoc-gen-grpc-swift-2; do
  swift build -c release --scratch-path .build-plugins --product "$product"
done
