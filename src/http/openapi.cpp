// The OpenAPI document, assembled from one fragment per resource group (src/http/openapi/*.json,
// embedded by cmake/embed.cmake) so that each group's routes and their description live side by
// side. The first fragment holds the document's head (openapi, info, servers, securitySchemes,
// shared parameters and responses); every later one adds "tags", "paths" and "components". Two
// fragments may describe different methods of one path; a method, schema or tag defined twice is a
// bug in the fragments and stops the merge loudly.
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/app.h"

namespace shuyou::http {

const std::vector<const char*>& OpenApiFragments();  // generated/embedded.cpp

namespace {

void MergeObject(nlohmann::json& into, const nlohmann::json& from, const std::string& where) {
  for (const auto& [key, value] : from.items()) {
    if (into.contains(key)) throw std::logic_error("openapi: " + where + "." + key + " is defined twice");
    into[key] = value;
  }
}

std::string Assemble() {
  const auto& fragments = OpenApiFragments();
  if (fragments.empty()) throw std::logic_error("openapi: no fragments embedded");
  nlohmann::json doc = nlohmann::json::parse(fragments.front());
  for (size_t i = 1; i < fragments.size(); ++i) {
    nlohmann::json part = nlohmann::json::parse(fragments[i]);
    for (const auto& [key, value] : part.items()) {
      if (key == "tags") {
        for (const auto& tag : value) {
          for (const auto& have : doc["tags"])
            if (have.at("name") == tag.at("name"))
              throw std::logic_error("openapi: tag " + tag.at("name").get<std::string>() + " is defined twice");
          doc["tags"].push_back(tag);
        }
      } else if (key == "paths") {
        for (const auto& [path, item] : value.items()) {
          auto& have = doc["paths"][path];
          for (const auto& [method, op] : item.items()) {
            if (method == "parameters" && have.contains(method) && have[method] == op) continue;
            if (have.contains(method)) throw std::logic_error("openapi: " + method + " " + path + " is defined twice");
            have[method] = op;
          }
        }
      } else if (key == "components") {
        for (const auto& [section, entries] : value.items())
          MergeObject(doc["components"][section], entries, "components." + section);
      } else {
        throw std::logic_error("openapi: a fragment may only hold tags, paths and components, not " + key);
      }
    }
  }
  return doc.dump(2);
}

}  // namespace

const char* OpenApiDocument() {
  static const std::string kDocument = Assemble();
  return kDocument.c_str();
}

}  // namespace shuyou::http
