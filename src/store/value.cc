#include "store/value.h"

#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <new>

#include "common/strings.h"
#include "store/hash_object.h"
#include "store/list_object.h"
#include "store/set_object.h"
#include "store/zset_object.h"

namespace cachet::store {

std::string_view type_name(ValueType type) {
  switch (type) {
    case ValueType::kString: return "string";
    case ValueType::kList: return "list";
    case ValueType::kSet: return "set";
    case ValueType::kZSet: return "zset";
    case ValueType::kHash: return "hash";
    case ValueType::kStream: return "stream";
  }
  return "none";
}

std::string_view encoding_name(Encoding encoding) {
  switch (encoding) {
    case Encoding::kInt: return "int";
    case Encoding::kEmbstr: return "embstr";
    case Encoding::kRaw: return "raw";
    case Encoding::kListpack: return "listpack";
    case Encoding::kHashtable: return "hashtable";
    case Encoding::kIntset: return "intset";
    case Encoding::kQuicklist: return "quicklist";
    case Encoding::kSkiplist: return "skiplist";
  }
  return "unknown";
}

Value::Value(Value&& other) noexcept {
  std::memcpy(static_cast<void*>(this), &other, sizeof(Value));
  other.set_int_storage(0);
}

Value& Value::operator=(Value&& other) noexcept {
  if (this != &other) {
    release();
    std::memcpy(static_cast<void*>(this), &other, sizeof(Value));
    other.set_int_storage(0);
  }
  return *this;
}

// Embedded collections are moved with the value's bytes (Value's move is a memcpy): they hold
// only pointers to their heap parts, never pointers into themselves.
static_assert(sizeof(HashObject) <= Value::kInlineCapacity);
static_assert(sizeof(ZSetObject) <= Value::kInlineCapacity);

void Value::release() {
  if (storage_ == Storage::kHeap) std::free(u_.heap);
  if (storage_ == Storage::kObject) {
    switch (type_) {
      case ValueType::kSet: delete u_.set; break;
      case ValueType::kList: delete u_.list; break;
      default: break;
    }
  }
  if (storage_ == Storage::kEmbedded) {
    if (type_ == ValueType::kHash) hash_object()->~HashObject();
    if (type_ == ValueType::kZSet) zset_object()->~ZSetObject();
  }
  storage_ = Storage::kInt;
}

Encoding Value::encoding() const {
  if (type_ == ValueType::kHash) {
    return hash_object()->compact() ? Encoding::kListpack : Encoding::kHashtable;
  }
  if (type_ == ValueType::kList) {
    return u_.list->compact() ? Encoding::kListpack : Encoding::kQuicklist;
  }
  if (type_ == ValueType::kZSet) {
    return zset_object()->compact() ? Encoding::kListpack : Encoding::kSkiplist;
  }
  if (type_ == ValueType::kSet) {
    switch (u_.set->form()) {
      case SetObject::Form::kIntset: return Encoding::kIntset;
      case SetObject::Form::kListpack: return Encoding::kListpack;
      case SetObject::Form::kTable: return Encoding::kHashtable;
    }
  }
  return encoding_;
}

Value Value::object_of(ValueType type) {
  Value v;
  v.type_ = type;
  v.storage_ = Storage::kObject;
  return v;
}

Value Value::list(std::unique_ptr<ListObject> list) {
  Value v = object_of(ValueType::kList);
  v.u_.list = list.release();
  return v;
}

Value Value::zset(std::unique_ptr<ZSetObject> zset) {
  Value v = object_of(ValueType::kZSet);
  v.storage_ = Storage::kEmbedded;
  new (v.u_.object) ZSetObject(std::move(*zset));
  return v;
}

Value Value::set(std::unique_ptr<SetObject> set) {
  Value v = object_of(ValueType::kSet);
  v.u_.set = set.release();
  return v;
}

Value Value::hash(std::unique_ptr<HashObject> hash) {
  Value v = object_of(ValueType::kHash);
  v.storage_ = Storage::kEmbedded;
  new (v.u_.object) HashObject(std::move(*hash));
  return v;
}

void Value::assign_bytes(std::string_view s, Encoding reported) {
  type_ = ValueType::kString;
  encoding_ = reported;
  if (s.size() <= kInlineCapacity) {
    storage_ = Storage::kInline;
    inline_len_ = static_cast<uint8_t>(s.size());
    if (!s.empty()) std::memcpy(u_.inl, s.data(), s.size());
    return;
  }
  storage_ = Storage::kHeap;
  auto* h = static_cast<HeapString*>(std::malloc(sizeof(HeapString) + s.size()));
  if (h == nullptr) throw std::bad_alloc();
  h->len = static_cast<uint32_t>(s.size());
  h->cap = static_cast<uint32_t>(s.size());
  std::memcpy(h->data, s.data(), s.size());
  u_.heap = h;
}

Value Value::string(std::string_view s) {
  Value v;
  int64_t n;
  if (s.size() <= 20 && parse_int64(s, &n)) {
    v.set_int_storage(n);
  } else {
    v.assign_bytes(s, s.size() <= kEmbstrLimit ? Encoding::kEmbstr : Encoding::kRaw);
  }
  return v;
}

Value Value::raw_string(std::string_view s) {
  Value v;
  v.assign_bytes(s, Encoding::kRaw);
  return v;
}

Value Value::integer(int64_t n) {
  Value v;
  v.set_int_storage(n);
  return v;
}

Value Value::clone() const {
  if (storage_ == Storage::kInt) return integer(u_.num);
  if (type_ == ValueType::kHash) return hash(hash_object()->clone());
  if (type_ == ValueType::kSet) return set(u_.set->clone());
  if (type_ == ValueType::kList) return list(u_.list->clone());
  if (type_ == ValueType::kZSet) return zset(zset_object()->clone());
  char scratch[kIntBufferSize];
  Value v;
  v.assign_bytes(str(scratch), encoding_);
  return v;
}

std::string_view Value::str(char (&scratch)[kIntBufferSize]) const {
  switch (storage_) {
    case Storage::kInt: return {scratch, format_int64(u_.num, scratch)};
    case Storage::kInline: return {u_.inl, inline_len_};
    case Storage::kHeap: return {u_.heap->data, u_.heap->len};
    case Storage::kObject:
    case Storage::kEmbedded: return {};
  }
  return {};
}

size_t Value::string_length() const {
  char scratch[kIntBufferSize];
  return str(scratch).size();
}

size_t Value::heap_bytes() const {
  if (storage_ == Storage::kObject) {
    switch (type_) {
      case ValueType::kSet: return u_.set->memory_bytes();
      case ValueType::kList: return u_.list->memory_bytes();
      default: return 0;
    }
  }
  if (storage_ == Storage::kEmbedded) {  // the object itself lives in the value
    if (type_ == ValueType::kHash) return hash_object()->memory_bytes();
    if (type_ == ValueType::kZSet) return zset_object()->memory_bytes();
  }
  return storage_ == Storage::kHeap ? malloc_usable_size(u_.heap) : 0;
}

char* Value::resize_raw(size_t size) {
  char scratch[kIntBufferSize];
  if (storage_ != Storage::kHeap) {
    // Move the current bytes to a heap block with room to grow: APPEND in a loop is the
    // pattern that hits this, and doubling keeps it linear.
    std::string_view cur = str(scratch);
    size_t cap = std::max(size, cur.size()) * 2;
    auto* h = static_cast<HeapString*>(std::malloc(sizeof(HeapString) + cap));
    if (h == nullptr) throw std::bad_alloc();
    std::memcpy(h->data, cur.data(), cur.size());
    if (size > cur.size()) std::memset(h->data + cur.size(), 0, size - cur.size());
    h->len = static_cast<uint32_t>(std::max(size, cur.size()));
    h->cap = static_cast<uint32_t>(cap);
    storage_ = Storage::kHeap;
    u_.heap = h;
  } else if (size > u_.heap->cap) {
    size_t cap = size < 1024 * 1024 ? size * 2 : size + 1024 * 1024;
    auto* h = static_cast<HeapString*>(std::realloc(u_.heap, sizeof(HeapString) + cap));
    if (h == nullptr) throw std::bad_alloc();
    std::memset(h->data + h->len, 0, size - h->len);
    h->len = static_cast<uint32_t>(size);
    h->cap = static_cast<uint32_t>(cap);
    u_.heap = h;
  } else if (size > u_.heap->len) {
    std::memset(u_.heap->data + u_.heap->len, 0, size - u_.heap->len);
    u_.heap->len = static_cast<uint32_t>(size);
  }
  type_ = ValueType::kString;
  encoding_ = Encoding::kRaw;
  return u_.heap->data;
}

}  // namespace cachet::store
