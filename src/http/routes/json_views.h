// JSON views of service values, shared by the route files. Written with JsonObject straight
// into the response text: list pages are the hot path.
#pragma once

#include "http/json_io.h"
#include "http/json_writer.h"
#include "service/auth.h"

namespace shuyou::service {
struct Member;
}  // namespace shuyou::service

namespace shuyou::http {

void WriteMember(std::string& out, const service::Member& m);  // routes/members.cpp

inline void WriteStaff(std::string& out, const service::Staff& s) {
  JsonObject(out)
      .Int("id", s.id)
      .Str("username", s.username)
      .Str("display_name", s.display_name)
      .Str("role", core::RoleName(s.role))
      .OptInt("home_store_id", s.home_store_id)
      .Bool("active", s.active)
      .Time("created_at", s.created_at)
      .Time("updated_at", s.updated_at)
      .Close();
}

inline void WriteStore(std::string& out, const service::Store& s) {
  JsonObject(out)
      .Int("id", s.id)
      .Str("code", s.code)
      .Str("name", s.name)
      .Str("address", s.address)
      .Str("phone", s.phone)
      .Str("timezone", s.timezone)
      .Str("currency", s.currency)
      .Bool("active", s.active)
      .Time("created_at", s.created_at)
      .Time("updated_at", s.updated_at)
      .Close();
}

// One value as a JSON text, through its writer.
template <class T>
std::string ToJson(void (*write)(std::string&, const T&), const T& v) {
  std::string out;
  write(out, v);
  return out;
}

inline Response JsonText(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// A page of items as {"items": [...], "next_cursor": …}.
template <class T>
Response PageJson(const service::Page<T>& page, void (*write)(std::string&, const T&)) {
  std::string out = "{\"items\":[";
  out.reserve(256 * page.items.size() + 64);
  for (size_t i = 0; i < page.items.size(); ++i) {
    if (i) out += ',';
    write(out, page.items[i]);
  }
  out += "],\"next_cursor\":";
  if (page.next_cursor) AppendJsonString(out, *page.next_cursor);
  else out += "null";
  out += '}';
  return JsonText(200, std::move(out));
}

// A Result answered with `status` and the value's JSON, or the error.
template <class T>
Response Answer(const Result<T>& r, int status, void (*write)(std::string&, const T&)) {
  if (!r.ok()) return ErrorResponse(r.status());
  return JsonText(status, ToJson(write, r.value()));
}

}  // namespace shuyou::http
