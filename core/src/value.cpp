#include "tessera/core/value.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

#include "tessera/core/device.hpp"

namespace tessera {

std::string demangle(const std::type_info& info) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(info.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(info.name());
}

Value Value::deserialize(const ValueType& type, std::span<const std::byte> bytes, std::size_t nbytes) {
  if (type.deserialize == nullptr) throw TypeError("values of type " + demangle(*type.info) + " cannot be deserialized");
  return Value(type.deserialize(bytes), type, nbytes);
}

void Value::serialize(std::vector<std::byte>& out) const {
  if (!serializable()) {
    throw TypeError("values of type " + (type_ ? demangle(*type_->info) : std::string("<empty>")) +
                    " cannot be serialized; specialize tessera::ValueTraits for it");
  }
  type_->serialize(data_.get(), out);
}

Value Value::relocated_to(Device& target) const {
  if (type_ == nullptr || type_->relocate == nullptr) return *this;
  Device* const wanted = &target == host_device().get() ? nullptr : &target;
  if (location() == wanted) return *this;
  return type_->relocate(data_.get(), target);
}

void Value::throw_type_mismatch(const std::type_info& requested) const {
  if (data_ == nullptr) throw TypeError("requested a " + demangle(requested) + " from an empty value");
  throw TypeError("the value holds a " + demangle(*type_->info) + ", not a " + demangle(requested));
}

}  // namespace tessera
