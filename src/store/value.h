#pragma once
// A value in the keyspace. Strings are stored as an integer when they are one (as Redis's "int"
// encoding), inline when they are at most kInlineCapacity bytes, or in one heap block
// otherwise, so the common small value costs no allocation beyond its key's entry.
// The reported encoding (OBJECT ENCODING) follows Redis's rules, independent of the storage.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace cachet::store {

enum class ValueType : uint8_t { kString = 0, kList, kSet, kZSet, kHash, kStream };
enum class Encoding : uint8_t { kInt, kEmbstr, kRaw, kListpack, kHashtable, kIntset, kQuicklist, kSkiplist };

class HashObject;
class SetObject;
class ListObject;
class ZSetObject;

std::string_view type_name(ValueType type);
std::string_view encoding_name(Encoding encoding);

class Value {
 public:
  static constexpr size_t kInlineCapacity = 16;
  static constexpr size_t kEmbstrLimit = 44;  // Redis's embstr/raw boundary, for reporting
  static constexpr size_t kIntBufferSize = 24;

  Value() { set_int_storage(0); }
  ~Value() { release(); }
  Value(Value&& other) noexcept;
  Value& operator=(Value&& other) noexcept;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;

  // A string as SET stores it: an integer when it reads as one, else bytes.
  static Value string(std::string_view s);
  // Bytes kept as bytes, reported as "raw" (APPEND, SETRANGE results).
  static Value raw_string(std::string_view s);
  static Value integer(int64_t v);
  // Take ownership of a collection.
  static Value hash(std::unique_ptr<HashObject> hash);
  static Value set(std::unique_ptr<SetObject> set);
  static Value list(std::unique_ptr<ListObject> list);
  static Value zset(std::unique_ptr<ZSetObject> zset);
  Value clone() const;

  ValueType type() const { return type_; }
  Encoding encoding() const;
  // The collection, when type() says it is one.
  HashObject* hash_object() const { return u_.hash; }
  SetObject* set_object() const { return u_.set; }
  ListObject* list_object() const { return u_.list; }
  ZSetObject* zset_object() const { return u_.zset; }
  bool is_int() const { return storage_ == Storage::kInt; }
  int64_t int_value() const { return u_.num; }

  // The string's bytes; integers are formatted into `scratch`.
  std::string_view str(char (&scratch)[kIntBufferSize]) const;
  size_t string_length() const;
  // Bytes of memory this value owns beyond the entry that holds it.
  size_t heap_bytes() const;

  // Turns the value into mutable raw bytes of at least `size` bytes (zero-filling any growth)
  // and returns them. Used by APPEND and SETRANGE.
  char* resize_raw(size_t size);

 private:
  enum class Storage : uint8_t { kInt, kInline, kHeap, kObject };
  struct HeapString {
    uint32_t len;
    uint32_t cap;
    char data[];
  };

  void set_int_storage(int64_t v) {
    type_ = ValueType::kString;
    encoding_ = Encoding::kInt;
    storage_ = Storage::kInt;
    inline_len_ = 0;
    u_.num = v;
  }
  // An empty value of a collection type, for the factories to fill in.
  static Value object_of(ValueType type);
  void assign_bytes(std::string_view s, Encoding reported);
  void release();

  ValueType type_;
  Encoding encoding_;
  Storage storage_;
  uint8_t inline_len_;
  union {
    int64_t num;
    HeapString* heap;
    HashObject* hash;
    SetObject* set;
    ListObject* list;
    ZSetObject* zset;
    char inl[kInlineCapacity];
  } u_;
};

}  // namespace cachet::store
