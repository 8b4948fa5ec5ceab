#pragma once
// Decoders for the compact blobs Redis and Valkey store inside RDB values: listpack (7.0+),
// ziplist (before 7.0), intset and zipmap (before 2.6). Each walks a blob with bounds checks
// and hands every entry to a callback as a string (integers formatted in decimal, as the
// commands would return them). A malformed blob raises RdbError at `base_offset`.
#include <cstdint>
#include <functional>
#include <string_view>

namespace cachet::persist {

using EntryFn = std::function<void(std::string_view entry)>;

// Returns the number of entries.
size_t decode_listpack(std::string_view blob, uint64_t base_offset, const EntryFn& fn);
size_t decode_ziplist(std::string_view blob, uint64_t base_offset, const EntryFn& fn);
size_t decode_intset(std::string_view blob, uint64_t base_offset, const EntryFn& fn);
// Zipmaps hold field/value pairs; fn sees field, value, field, value...
size_t decode_zipmap(std::string_view blob, uint64_t base_offset, const EntryFn& fn);

}  // namespace cachet::persist
