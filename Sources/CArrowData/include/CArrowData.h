// The Arrow C Data Interface: the two ABI-stable structs through which Arrow
// arrays cross a library boundary without copying their buffers.
// Declared here from the published specification
// (arrow.apache.org/docs/format/CDataInterface.html).
#ifndef PYFN_CARROWDATA_H
#define PYFN_CARROWDATA_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

/// The field is dictionary encoded and its dictionary is ordered.
#define ARROW_FLAG_DICTIONARY_ORDERED 1
/// The field may contain nulls.
#define ARROW_FLAG_NULLABLE 2
/// The keys of each map value are sorted.
#define ARROW_FLAG_MAP_KEYS_SORTED 4

/// Describes the type of an exported array (and, for nested types, its children).
struct ArrowSchema {
  const char *format;
  const char *name;
  const char *metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema **children;
  struct ArrowSchema *dictionary;
  void (*release)(struct ArrowSchema *);
  void *private_data;
};

/// Describes the buffers and children of an exported array.
struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void **buffers;
  struct ArrowArray **children;
  struct ArrowArray *dictionary;
  void (*release)(struct ArrowArray *);
  void *private_data;
};

#endif  // ARROW_C_DATA_INTERFACE

#ifdef __cplusplus
}
#endif

#endif  // PYFN_CARROWDATA_H
