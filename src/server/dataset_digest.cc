#include "server/dataset_digest.h"

#include <openssl/evp.h>

#include <cstring>

#include "common/strings.h"
#include "store/hash_object.h"
#include "store/list_object.h"
#include "store/set_object.h"
#include "store/zset_object.h"

namespace cachet::server {
namespace {

// SHA-1 over length-prefixed parts, so ("ab","c") and ("a","bc") differ.
class Hasher {
 public:
  Hasher() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha1(), nullptr); }
  ~Hasher() { EVP_MD_CTX_free(ctx_); }
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  Hasher& add(std::string_view part) {
    uint64_t len = part.size();
    EVP_DigestUpdate(ctx_, &len, sizeof len);
    EVP_DigestUpdate(ctx_, part.data(), part.size());
    return *this;
  }
  Hasher& add(const Digest& d) { return add(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())); }
  Digest done() {
    Digest out;
    EVP_DigestFinal_ex(ctx_, out.data(), nullptr);
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

void xor_into(Digest& acc, const Digest& d) {
  for (size_t i = 0; i < acc.size(); ++i) acc[i] ^= d[i];
}

}  // namespace

Digest value_digest(const store::Value& v) {
  Hasher h;
  h.add(store::type_name(v.type()));
  switch (v.type()) {
    case store::ValueType::kString: {
      char scratch[store::Value::kIntBufferSize];
      h.add(v.str(scratch));
      break;
    }
    case store::ValueType::kList: {
      const store::ListObject* l = v.list_object();
      if (l->size() > 0) l->for_range(0, l->size() - 1, [&](std::string_view item) {
        h.add(item);
        return true;
      });
      break;
    }
    case store::ValueType::kSet: {
      Digest members{};
      v.set_object()->for_each([&](std::string_view m) { xor_into(members, Hasher().add(m).done()); });
      h.add(members);
      break;
    }
    case store::ValueType::kHash: {
      Digest fields{};
      v.hash_object()->for_each([&](std::string_view f, std::string_view val) {
        xor_into(fields, Hasher().add(f).add(val).done());
      });
      h.add(fields);
      break;
    }
    case store::ValueType::kZSet: {
      const store::ZSetObject* z = v.zset_object();
      z->for_each([&](std::string_view m, double score) { h.add(m).add(format_double(score)); });
      break;
    }
    case store::ValueType::kStream: break;
  }
  return h.done();
}

Digest dataset_digest(store::Keyspace& keyspace) {
  Digest all{};
  for (size_t i = 0; i < keyspace.db_count(); ++i) {
    store::Database& db = keyspace.db(i);
    std::string db_tag = std::to_string(i);
    db.dict().for_each([&](store::Entry* e) {
      Hasher h;
      h.add(db_tag).add(e->key_view()).add(value_digest(e->value));
      int64_t expire = db.expire_at(e);
      if (expire >= 0) h.add(std::to_string(expire));
      xor_into(all, h.done());
    });
  }
  return all;
}

std::string digest_hex(const Digest& d) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : d) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

}  // namespace cachet::server
