#include "expr.hpp"

#include <algorithm>
#include <numeric>

#include "tessera/core/error.hpp"

namespace tessera::array_detail {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

}  // namespace

std::pair<std::int64_t, std::int64_t> progression_range(std::int64_t start, std::int64_t step, std::int64_t lo,
                                                        std::int64_t hi) {
  if (step > 0) return {ceil_div(lo - start, step), floor_div(hi - 1 - start, step)};
  return {ceil_div(hi - 1 - start, step), floor_div(lo - start, step)};
}

ExprPtr Expr::load(DType dtype, Shape shape, std::vector<PatchRef> patches) {
  auto e = std::make_shared<Expr>();
  e->kind = Kind::load;
  e->dtype = dtype;
  e->shape = std::move(shape);
  e->patches = std::move(patches);
  return e;
}

ExprPtr Expr::load_chunk(Key key, DType dtype, const Shape& shape) {
  PatchRef p;
  p.key = key;
  p.lo = Shape(shape.size(), 0);
  p.hi = shape;
  p.strides = c_strides(shape);
  p.source_size = shape_size(shape);
  return load(dtype, shape, {std::move(p)});
}

ExprPtr Expr::apply(std::string op, kernels::ElementwiseFn fn, DType dtype, std::vector<ExprPtr> args) {
  auto e = std::make_shared<Expr>();
  e->kind = Kind::apply;
  e->dtype = dtype;
  e->shape = args.at(0)->shape;
  e->fn = fn;
  e->op = std::move(op);
  e->weight = 1;
  for (const auto& a : args) e->weight += a->weight;
  e->args = std::move(args);
  return e;
}

ExprPtr Expr::constant_of(const kernels::ConstantLeaf& c, Shape shape) {
  auto e = std::make_shared<Expr>();
  e->kind = Kind::constant;
  e->dtype = c.dtype;
  e->shape = std::move(shape);
  e->constant = c;
  return e;
}

ExprPtr Expr::generate(kernels::GenerateLeaf g, Shape shape) {
  auto e = std::make_shared<Expr>();
  e->kind = Kind::generate;
  e->dtype = g.dtype;
  e->shape = std::move(shape);
  e->generator = std::move(g);
  return e;
}

bool Expr::is_whole_chunk() const {
  if (kind != Kind::load || patches.size() != 1) return false;
  const PatchRef& p = patches[0];
  return p.source_size == shape_size(shape) && p.offset == 0 && p.strides == c_strides(shape) && std::all_of(p.lo.begin(), p.lo.end(), [](auto v) { return v == 0; }) &&
         p.hi == shape;
}

AffineMap identity_map(int ndim) {
  AffineMap m(static_cast<std::size_t>(ndim));
  for (int d = 0; d < ndim; ++d) m[static_cast<std::size_t>(d)] = AxisMap{d, 0, 1};
  return m;
}

AffineMap compose(const AffineMap& inner, const AffineMap& outer) {
  // inner: mid → old, outer: new → mid. old_i = s_i + t_i·mid[f_i], mid[f_i] = s' + t'·new[f'].
  AffineMap out(inner.size());
  for (std::size_t i = 0; i < inner.size(); ++i) {
    const AxisMap& a = inner[i];
    if (a.from < 0) {
      out[i] = a;
      continue;
    }
    const AxisMap& b = outer.at(static_cast<std::size_t>(a.from));
    out[i] = AxisMap{b.from, a.start + a.step * b.start, a.step * b.step};
    if (b.from < 0) out[i].step = 0;
  }
  return out;
}

AffineMap localize(const AffineMap& map, const Shape& new_lo, const Shape& old_lo) {
  AffineMap out = map;
  for (std::size_t i = 0; i < map.size(); ++i) {
    AxisMap& a = out[i];
    if (a.from >= 0) a.start += a.step * new_lo.at(static_cast<std::size_t>(a.from));
    a.start -= old_lo.at(i);
  }
  return out;
}

namespace {

class Remapper {
 public:
  Remapper(const AffineMap& map, const Shape& shape) : map_(map), shape_(shape) {}

  ExprPtr operator()(const ExprPtr& e) {
    if (auto it = memo_.find(e.get()); it != memo_.end()) return it->second;
    ExprPtr out;
    switch (e->kind) {
      case Expr::Kind::constant:
        out = Expr::constant_of(e->constant, shape_);
        break;
      case Expr::Kind::generate: {
        kernels::GenerateLeaf g = e->generator;
        std::int64_t offset = 0;
        g.index_strides = transform(e->generator.index_strides, offset);
        g.index_offset += offset;
        out = Expr::generate(std::move(g), shape_);
        break;
      }
      case Expr::Kind::load: {
        std::vector<PatchRef> patches;
        for (const PatchRef& p : e->patches) {
          PatchRef q;
          q.key = p.key;
          q.source_size = p.source_size;
          std::int64_t offset = 0;
          q.strides = transform(p.strides, offset);
          q.offset = p.offset + offset;
          if (box(p, q.lo, q.hi)) patches.push_back(std::move(q));
        }
        out = Expr::load(e->dtype, shape_, std::move(patches));
        break;
      }
      case Expr::Kind::apply: {
        std::vector<ExprPtr> args;
        args.reserve(e->args.size());
        for (const auto& a : e->args) args.push_back((*this)(a));
        out = Expr::apply(e->op, e->fn, e->dtype, std::move(args));
        break;
      }
    }
    memo_.emplace(e.get(), out);
    return out;
  }

 private:
  // Strides over new axes, and the offset the constant parts add.
  Strides transform(const Strides& old_strides, std::int64_t& offset) const {
    Strides s(shape_.size(), 0);
    for (std::size_t i = 0; i < map_.size(); ++i) {
      const AxisMap& a = map_[i];
      offset += old_strides[i] * a.start;
      if (a.from >= 0) s[static_cast<std::size_t>(a.from)] += old_strides[i] * a.step;
    }
    return s;
  }

  // The box of new coordinates whose image lies in the patch's old box; false if empty.
  bool box(const PatchRef& p, Shape& lo, Shape& hi) const {
    lo.assign(shape_.size(), 0);
    hi = shape_;
    for (std::size_t i = 0; i < map_.size(); ++i) {
      const AxisMap& a = map_[i];
      const std::int64_t plo = p.lo[i], phi = p.hi[i];
      if (a.from < 0 || a.step == 0) {
        if (a.start < plo || a.start >= phi) return false;
        continue;
      }
      const auto d = static_cast<std::size_t>(a.from);
      const auto [cmin, cmax] = progression_range(a.start, a.step, plo, phi);
      lo[d] = std::max(lo[d], cmin);
      hi[d] = std::min(hi[d], cmax + 1);
      if (lo[d] >= hi[d]) return false;
    }
    return true;
  }

  const AffineMap& map_;
  const Shape& shape_;
  std::unordered_map<const Expr*, ExprPtr> memo_;
};

class Compiler {
 public:
  explicit Compiler(std::vector<Key>& sources) : sources_(sources) {}

  int operator()(const ExprPtr& e) {
    if (auto it = memo_.find(e.get()); it != memo_.end()) return it->second;
    kernels::Instruction ins;
    ins.out = static_cast<int>(program.registers.size());
    switch (e->kind) {
      case Expr::Kind::constant:
        ins.kind = kernels::Instruction::Kind::constant;
        ins.leaf = static_cast<int>(program.constants.size());
        program.constants.push_back(e->constant);
        break;
      case Expr::Kind::generate:
        ins.kind = kernels::Instruction::Kind::generate;
        ins.leaf = static_cast<int>(program.generators.size());
        program.generators.push_back(e->generator);
        break;
      case Expr::Kind::load: {
        ins.kind = kernels::Instruction::Kind::load;
        ins.leaf = static_cast<int>(program.loads.size());
        kernels::LoadLeaf leaf;
        leaf.dtype = e->dtype;
        for (const PatchRef& p : e->patches) {
          kernels::Patch q;
          q.source = source_index(p.key);
          q.lo = p.lo;
          q.hi = p.hi;
          q.offset = p.offset;
          q.strides = p.strides;
          leaf.patches.push_back(std::move(q));
        }
        program.loads.push_back(std::move(leaf));
        break;
      }
      case Expr::Kind::apply: {
        ins.kind = kernels::Instruction::Kind::apply;
        ins.op = e->op;
        ins.fn = e->fn;
        ins.arity = static_cast<int>(e->args.size());
        for (std::size_t i = 0; i < e->args.size(); ++i) ins.args[i] = (*this)(e->args[i]);
        ins.out = static_cast<int>(program.registers.size());
        break;
      }
    }
    program.registers.push_back(e->dtype);
    program.code.push_back(ins);
    memo_.emplace(e.get(), ins.out);
    return ins.out;
  }

  kernels::FusedProgram program;

 private:
  int source_index(Key key) {
    auto [it, inserted] = source_of_.emplace(key, static_cast<int>(sources_.size()));
    if (inserted) sources_.push_back(key);
    return it->second;
  }
  std::vector<Key>& sources_;
  std::unordered_map<Key, int> source_of_;
  std::unordered_map<const Expr*, int> memo_;
};

}  // namespace

ExprPtr remap(const ExprPtr& e, const AffineMap& map, const Shape& new_shape) {
  Remapper r(map, new_shape);
  return r(e);
}

kernels::FusedProgram compile(const ExprPtr& e, std::vector<Key>& sources) {
  Compiler c(sources);
  c.program.result = c(e);
  return std::move(c.program);
}

std::string expr_name(const ExprPtr& e) {
  switch (e->kind) {
    case Expr::Kind::load: return "copy";
    case Expr::Kind::generate: return "generate";
    case Expr::Kind::constant: return "full";
    case Expr::Kind::apply: return e->op;
  }
  return "expr";
}

}  // namespace tessera::array_detail
