#pragma once
// The multi-part AOF manifest as Valkey 7+ lays it out: one line per file,
//   file appendonly.aof.1.base.rdb seq 1 type b
//   file appendonly.aof.1.incr.aof seq 1 type i
// with the base first, then history files (kept only until they are deleted), then the incr
// files in the order they are replayed. Names are bare file names inside the AOF directory.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cachet::persist {

enum class AofFileType : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };

struct AofFileInfo {
  std::string name;
  int64_t seq = 0;
  AofFileType type = AofFileType::kIncr;
  bool operator==(const AofFileInfo&) const = default;
};

class AofManifest {
 public:
  // Parses a manifest's text; false with `error` in Valkey's words when it is malformed.
  static bool parse(std::string_view text, AofManifest* out, std::string* error);
  std::string to_string() const;

  bool empty() const { return !base_ && incr_.empty(); }
  const std::optional<AofFileInfo>& base() const { return base_; }
  const std::vector<AofFileInfo>& incr() const { return incr_; }
  const std::vector<AofFileInfo>& history() const { return history_; }

  // Names a new base `<prefix>.<seq>.base.rdb` (or .aof without an RDB preamble); the old
  // base, if any, becomes history.
  const AofFileInfo& new_base(std::string_view prefix, bool rdb_preamble);
  // Appends a new incr file `<prefix>.<seq>.incr.aof`.
  const AofFileInfo& new_incr(std::string_view prefix);
  // After a rewrite: every incr file but the last (the one being written) becomes history.
  void retire_incr_but_last();
  // After a rewrite with AOF off: every incr file is in the new base.
  void retire_all_incr();
  // Adopts an old single-file AOF as the base (an upgrade from before multi-part AOF).
  void adopt_base(std::string_view name);
  void clear_history() { history_.clear(); }

 private:
  std::optional<AofFileInfo> base_;
  std::vector<AofFileInfo> incr_;
  std::vector<AofFileInfo> history_;
  int64_t base_seq_ = 0;
  int64_t incr_seq_ = 0;
};

}  // namespace cachet::persist
