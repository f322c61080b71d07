// platform/soft_raster.cpp — ImGui draw lists rasterised on the CPU (see
// soft_raster.h).
//
// Coverage follows the rules a GPU uses, so the picture matches the OpenGL
// renderer's: a pixel is covered when its centre (x + 0.5, y + 0.5) lies
// inside; centres exactly on an edge belong to one of the two triangles that
// share it (the "tie" edges below), never to both.
#include "platform/soft_raster.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace fieldsync::platform {
namespace {

struct Clip {
  int x0, y0, x1, y1;  // pixels [x0, x1) × [y0, y1)
};

// v / 255 rounded, for 0 <= v <= 255 * 255.
inline int Div255(int v) { return (v + 128 + ((v + 128) >> 8)) >> 8; }

struct Writer {
  const PixelTarget& t;
  uint32_t* Row(int y) const {
    return reinterpret_cast<uint32_t*>(reinterpret_cast<unsigned char*>(t.pixels) +
                                       static_cast<size_t>(y) * t.pitch);
  }
  uint32_t Pack(int r, int g, int b) const {
    return (static_cast<uint32_t>(r) << t.r_shift) | (static_cast<uint32_t>(g) << t.g_shift) |
           (static_cast<uint32_t>(b) << t.b_shift) | t.opaque_bits;
  }
  // Source-over blend of the packed colour `src` at coverage a (0..255).
  // Red and blue sit in the 0x00FF00FF lanes and green in 0x0000FF00 for
  // every 32-bit layout SDL gives a window (XRGB, XBGR): two channels blend
  // in one multiply.
  void BlendPacked(uint32_t* p, uint32_t src, int a) const {
    if (a >= 255) {
      *p = src;
      return;
    }
    const uint32_t d = *p;
    const uint32_t sa = static_cast<uint32_t>(a) + (static_cast<uint32_t>(a) >> 7);  // 0..256
    const uint32_t da = 256 - sa;
    const uint32_t rb = (((src & 0xFF00FFu) * sa + (d & 0xFF00FFu) * da) >> 8) & 0xFF00FFu;
    const uint32_t g = (((src & 0x00FF00u) * sa + (d & 0x00FF00u) * da) >> 8) & 0x00FF00u;
    *p = rb | g | t.opaque_bits;
  }
  bool packed_ok() const {
    return t.g_shift == 8 &&
           ((t.r_shift == 16 && t.b_shift == 0) || (t.r_shift == 0 && t.b_shift == 16));
  }
  // Source-over blend of (r, g, b) at coverage a (0..255).
  void Blend(uint32_t* p, int r, int g, int b, int a) const {
    if (a <= 0) return;
    if (a >= 255) {
      *p = Pack(r, g, b);
      return;
    }
    const uint32_t d = *p;
    const int dr = static_cast<int>((d >> t.r_shift) & 0xFF);
    const int dg = static_cast<int>((d >> t.g_shift) & 0xFF);
    const int db = static_cast<int>((d >> t.b_shift) & 0xFF);
    const int ia = 255 - a;
    *p = Pack(Div255(r * a + dr * ia), Div255(g * a + dg * ia), Div255(b * a + db * ia));
  }
};

struct Color {
  int r, g, b, a;
};
inline Color Unpack(ImU32 c) {
  return {static_cast<int>((c >> IM_COL32_R_SHIFT) & 0xFF),
          static_cast<int>((c >> IM_COL32_G_SHIFT) & 0xFF),
          static_cast<int>((c >> IM_COL32_B_SHIFT) & 0xFF),
          static_cast<int>((c >> IM_COL32_A_SHIFT) & 0xFF)};
}

// First and one-past-last pixel whose centre lies in [lo, hi).
inline int FirstCentre(float lo) { return static_cast<int>(std::ceil(lo - 0.5f)); }

struct Raster {
  const unsigned char* atlas;
  int aw, ah;
  Writer w;
  ImVec2 offset, scale;
  bool packed;

  int Texel(float u, float v) const {
    int x = static_cast<int>(u * static_cast<float>(aw));
    int y = static_cast<int>(v * static_cast<float>(ah));
    x = std::clamp(x, 0, aw - 1);
    y = std::clamp(y, 0, ah - 1);
    return atlas[static_cast<size_t>(y) * aw + x];
  }
  ImVec2 Pos(const ImDrawVert& v) const {
    return ImVec2((v.pos.x - offset.x) * scale.x, (v.pos.y - offset.y) * scale.y);
  }

  // An axis-aligned rectangle of one colour, plain or textured (glyphs).
  void Rect(ImVec2 p0, ImVec2 p1, ImVec2 uv0, ImVec2 uv1, ImU32 col, const Clip& clip) {
    const int x0 = std::max(clip.x0, FirstCentre(p0.x)), x1 = std::min(clip.x1, FirstCentre(p1.x));
    const int y0 = std::max(clip.y0, FirstCentre(p0.y)), y1 = std::min(clip.y1, FirstCentre(p1.y));
    if (x0 >= x1 || y0 >= y1) return;
    const Color c = Unpack(col);
    if (c.a == 0) return;
    if (uv0.x == uv1.x && uv0.y == uv1.y) {  // ImGui's white pixel: a plain fill
      const int a = Div255(c.a * Texel(uv0.x, uv0.y));
      if (a >= 255) {
        const uint32_t px = w.Pack(c.r, c.g, c.b);
        for (int y = y0; y < y1; ++y) std::fill(w.Row(y) + x0, w.Row(y) + x1, px);
      } else if (packed) {
        const uint32_t src = w.Pack(c.r, c.g, c.b);
        for (int y = y0; y < y1; ++y) {
          uint32_t* row = w.Row(y);
          for (int x = x0; x < x1; ++x) w.BlendPacked(row + x, src, a);
        }
      } else {
        for (int y = y0; y < y1; ++y) {
          uint32_t* row = w.Row(y);
          for (int x = x0; x < x1; ++x) w.Blend(row + x, c.r, c.g, c.b, a);
        }
      }
      return;
    }
    const float du = (uv1.x - uv0.x) / (p1.x - p0.x), dv = (uv1.y - uv0.y) / (p1.y - p0.y);
    if (packed && std::fabs(du * static_cast<float>(aw) - 1.0f) < 1e-3f &&
        std::fabs(dv * static_cast<float>(ah) - 1.0f) < 1e-3f) {
      // A glyph at 1:1: atlas rows copied as coverage.
      const int tx0 = static_cast<int>((uv0.x + (static_cast<float>(x0) + 0.5f - p0.x) * du) *
                                       static_cast<float>(aw));
      const int ty0 = static_cast<int>((uv0.y + (static_cast<float>(y0) + 0.5f - p0.y) * dv) *
                                       static_cast<float>(ah));
      if (tx0 >= 0 && ty0 >= 0 && tx0 + (x1 - x0) <= aw && ty0 + (y1 - y0) <= ah) {
        const uint32_t src = w.Pack(c.r, c.g, c.b);
        for (int y = y0; y < y1; ++y) {
          const unsigned char* cov = atlas + static_cast<size_t>(ty0 + y - y0) * aw + tx0;
          uint32_t* row = w.Row(y) + x0;
          for (int x = 0; x < x1 - x0; ++x) {
            if (const int t = cov[x]) w.BlendPacked(row + x, src, c.a == 255 ? t : Div255(c.a * t));
          }
        }
        return;
      }
    }
    // Texel column and row of each pixel centre (nearest sampling).
    cols_.resize(static_cast<size_t>(x1 - x0));
    for (int x = x0; x < x1; ++x) {
      const float u = uv0.x + (static_cast<float>(x) + 0.5f - p0.x) * du;
      cols_[static_cast<size_t>(x - x0)] =
          std::clamp(static_cast<int>(u * static_cast<float>(aw)), 0, aw - 1);
    }
    for (int y = y0; y < y1; ++y) {
      const float v = uv0.y + (static_cast<float>(y) + 0.5f - p0.y) * dv;
      const int ty = std::clamp(static_cast<int>(v * static_cast<float>(ah)), 0, ah - 1);
      const unsigned char* src = atlas + static_cast<size_t>(ty) * aw;
      uint32_t* row = w.Row(y);
      for (int x = x0; x < x1; ++x) {
        const int t = src[cols_[static_cast<size_t>(x - x0)]];
        if (t) w.Blend(row + x, c.r, c.g, c.b, c.a == 255 ? t : Div255(c.a * t));
      }
    }
  }

  // Any triangle: colour and texture coordinates interpolated.
  void Triangle(const ImDrawVert& a, const ImDrawVert& b, const ImDrawVert& c, const Clip& clip) {
    const ImDrawVert* v[3] = {&a, &b, &c};
    ImVec2 p[3] = {Pos(a), Pos(b), Pos(c)};
    float area = (p[1].x - p[0].x) * (p[2].y - p[0].y) - (p[2].x - p[0].x) * (p[1].y - p[0].y);
    if (!(std::fabs(area) > 0)) return;
    if (area < 0) {
      std::swap(v[1], v[2]);
      std::swap(p[1], p[2]);
      area = -area;
    }
    // Edge i runs from vertex i+1 to i+2; E_i(x, y) = A x + B y + C is
    // positive inside and, divided by the area, is vertex i's weight.
    // The same edge seen from the neighbouring triangle has every
    // coefficient negated (exactly: IEEE subtraction and products are
    // symmetric), so a rule on the signs gives a centre lying exactly on it
    // to exactly one of the two: the side where A > 0 or, for a horizontal
    // edge, where B < 0.
    float A[3], B[3], C[3];
    for (int i = 0; i < 3; ++i) {
      const ImVec2& s = p[(i + 1) % 3];
      const ImVec2& e = p[(i + 2) % 3];
      A[i] = s.y - e.y;
      B[i] = e.x - s.x;
      C[i] = s.x * e.y - e.x * s.y;
    }
    const float ymin = std::min({p[0].y, p[1].y, p[2].y}),
                ymax = std::max({p[0].y, p[1].y, p[2].y});
    const float xmin = std::min({p[0].x, p[1].x, p[2].x}),
                xmax = std::max({p[0].x, p[1].x, p[2].x});
    const int y0 = std::max(clip.y0, FirstCentre(ymin)),
              y1 = std::min(clip.y1, FirstCentre(ymax) + 1);
    const int bx0 = std::max(clip.x0, FirstCentre(xmin)),
              bx1 = std::min(clip.x1, FirstCentre(xmax) + 1);
    if (y0 >= y1 || bx0 >= bx1) return;

    const Color c0 = Unpack(v[0]->col), c1 = Unpack(v[1]->col), c2 = Unpack(v[2]->col);
    const bool flat_col = v[0]->col == v[1]->col && v[1]->col == v[2]->col;
    const bool flat_uv = v[0]->uv.x == v[1]->uv.x && v[1]->uv.x == v[2]->uv.x &&
                         v[0]->uv.y == v[1]->uv.y && v[1]->uv.y == v[2]->uv.y;
    if (flat_col && c0.a == 0) return;
    // Attributes as affine functions of the pixel centre: f = fx x + fy y + f0.
    struct Affine {
      float fx, fy, f0;
    };
    auto affine = [&](float f0, float f1, float f2) {
      const float w0 = f0 / area, w1 = f1 / area, w2 = f2 / area;
      return Affine{A[0] * w0 + A[1] * w1 + A[2] * w2, B[0] * w0 + B[1] * w1 + B[2] * w2,
                    C[0] * w0 + C[1] * w1 + C[2] * w2};
    };
    const Affine fr =
        affine(static_cast<float>(c0.r), static_cast<float>(c1.r), static_cast<float>(c2.r));
    const Affine fg =
        affine(static_cast<float>(c0.g), static_cast<float>(c1.g), static_cast<float>(c2.g));
    const Affine fb =
        affine(static_cast<float>(c0.b), static_cast<float>(c1.b), static_cast<float>(c2.b));
    const Affine fa =
        affine(static_cast<float>(c0.a), static_cast<float>(c1.a), static_cast<float>(c2.a));
    const Affine fu = affine(v[0]->uv.x, v[1]->uv.x, v[2]->uv.x);
    const Affine fv = affine(v[0]->uv.y, v[1]->uv.y, v[2]->uv.y);
    const int flat_tex = flat_uv ? Texel(v[0]->uv.x, v[0]->uv.y) : 0;

    for (int y = y0; y < y1; ++y) {
      const float yc = static_cast<float>(y) + 0.5f;
      int x0 = bx0, x1 = bx1;  // [x0, x1)
      for (int i = 0; i < 3 && x0 < x1; ++i) {
        const float r = B[i] * yc + C[i];
        if (A[i] == 0) {  // horizontal: the whole row is in or out
          if (!(r > 0 || (r == 0 && B[i] < 0))) x0 = x1;
          continue;
        }
        const float xs = -r / A[i];  // where the edge crosses this row
        if (A[i] > 0) {              // inside to the right: x + 0.5 >= xs
          x0 = std::max(x0, static_cast<int>(std::ceil(xs - 0.5f)));
        } else {  // inside to the left: x + 0.5 < xs
          x1 = std::min(x1, static_cast<int>(std::ceil(xs - 0.5f)));
        }
      }
      if (x0 >= x1) continue;
      uint32_t* row = w.Row(y);
      if (flat_col && flat_uv) {
        const int alpha = c0.a == 255 ? flat_tex : Div255(c0.a * flat_tex);
        if (alpha >= 255) {
          std::fill(row + x0, row + x1, w.Pack(c0.r, c0.g, c0.b));
        } else if (packed) {
          const uint32_t src = w.Pack(c0.r, c0.g, c0.b);
          for (int x = x0; x < x1; ++x) w.BlendPacked(row + x, src, alpha);
        } else {
          for (int x = x0; x < x1; ++x) w.Blend(row + x, c0.r, c0.g, c0.b, alpha);
        }
        continue;
      }
      const float xc = static_cast<float>(x0) + 0.5f;
      float r = fr.fx * xc + fr.fy * yc + fr.f0, g = fg.fx * xc + fg.fy * yc + fg.f0;
      float bl = fb.fx * xc + fb.fy * yc + fb.f0, al = fa.fx * xc + fa.fy * yc + fa.f0;
      float u = fu.fx * xc + fu.fy * yc + fu.f0, vv = fv.fx * xc + fv.fy * yc + fv.f0;
      for (int x = x0; x < x1; ++x) {
        const int t = flat_uv ? flat_tex : Texel(u, vv);
        const int ai = std::clamp(static_cast<int>(al + 0.5f), 0, 255);
        w.Blend(row + x, std::clamp(static_cast<int>(r + 0.5f), 0, 255),
                std::clamp(static_cast<int>(g + 0.5f), 0, 255),
                std::clamp(static_cast<int>(bl + 0.5f), 0, 255), Div255(ai * t));
        r += fr.fx;
        g += fg.fx;
        bl += fb.fx;
        al += fa.fx;
        u += fu.fx;
        vv += fv.fx;
      }
    }
  }

  std::vector<int> cols_;
};

// ImGui's PrimRect / PrimRectUV and its glyph quads: vertices a, b, c, d
// clockwise from the top left, indices (a b c) (a c d), one colour.
bool IsAxisQuad(const ImDrawVert& a, const ImDrawVert& b, const ImDrawVert& c,
                const ImDrawVert& d) {
  return a.pos.y == b.pos.y && b.pos.x == c.pos.x && c.pos.y == d.pos.y && d.pos.x == a.pos.x &&
         a.pos.x < c.pos.x && a.pos.y < c.pos.y && a.col == b.col && a.col == c.col &&
         a.col == d.col && b.uv.x == c.uv.x && b.uv.y == a.uv.y && d.uv.x == a.uv.x &&
         d.uv.y == c.uv.y;
}

// True when the first thing drawn is an opaque rectangle over the whole
// target (the app's full-screen window background): clearing first would
// only be overwritten.
bool StartsWithOpaqueBackground(const ImDrawData& draw, const PixelTarget& target) {
  if (draw.CmdListsCount == 0) return false;
  const ImDrawList& list = *draw.CmdLists[0];
  if (list.CmdBuffer.Size == 0 || list.CmdBuffer[0].ElemCount < 6 || list.CmdBuffer[0].UserCallback)
    return false;
  const ImDrawCmd& cmd = list.CmdBuffer[0];
  const ImDrawIdx* idx = list.IdxBuffer.Data + cmd.IdxOffset;
  const ImDrawVert* v = list.VtxBuffer.Data + cmd.VtxOffset;
  if (idx[3] != idx[0] || idx[4] != idx[2]) return false;
  const ImDrawVert &a = v[idx[0]], &b = v[idx[1]], &c = v[idx[2]], &d = v[idx[5]];
  if (!IsAxisQuad(a, b, c, d) || a.uv.x != c.uv.x || a.uv.y != c.uv.y) return false;
  if (((a.col >> IM_COL32_A_SHIFT) & 0xFF) != 0xFF) return false;
  const ImVec2 s = draw.FramebufferScale, o = draw.DisplayPos;
  // The white pixel is opaque; the rectangle must hold every pixel centre.
  return (a.pos.x - o.x) * s.x <= 0.5f && (a.pos.y - o.y) * s.y <= 0.5f &&
         (c.pos.x - o.x) * s.x > static_cast<float>(target.width) - 0.5f &&
         (c.pos.y - o.y) * s.y > static_cast<float>(target.height) - 0.5f &&
         cmd.ClipRect.x - o.x <= 0 && cmd.ClipRect.y - o.y <= 0 &&
         (cmd.ClipRect.z - o.x) * s.x >= static_cast<float>(target.width) &&
         (cmd.ClipRect.w - o.y) * s.y >= static_cast<float>(target.height);
}

}  // namespace

void SoftRasterizer::SetAtlas(const unsigned char* alpha, int width, int height) {
  atlas_.assign(alpha, alpha + static_cast<size_t>(width) * height);
  atlas_.shrink_to_fit();
  atlas_w_ = width;
  atlas_h_ = height;
}

void SoftRasterizer::Render(const ImDrawData& draw, const PixelTarget& target) {
  Writer w{target};
  if (!StartsWithOpaqueBackground(draw, target) || atlas_.empty()) {
    const uint32_t black = w.Pack(0, 0, 0);
    for (int y = 0; y < target.height; ++y) std::fill(w.Row(y), w.Row(y) + target.width, black);
  }
  if (atlas_.empty()) return;
  Raster r{atlas_.data(),         atlas_w_,      atlas_h_, w, draw.DisplayPos,
           draw.FramebufferScale, w.packed_ok(), {}};
  for (int n = 0; n < draw.CmdListsCount; ++n) {
    const ImDrawList& list = *draw.CmdLists[n];
    const ImDrawVert* vtx = list.VtxBuffer.Data;
    const ImDrawIdx* idx_all = list.IdxBuffer.Data;
    for (const ImDrawCmd& cmd : list.CmdBuffer) {
      if (cmd.UserCallback)
        continue;  // none in this app (ImDrawCallback_ResetRenderState included)
      Clip clip{static_cast<int>((cmd.ClipRect.x - draw.DisplayPos.x) * draw.FramebufferScale.x),
                static_cast<int>((cmd.ClipRect.y - draw.DisplayPos.y) * draw.FramebufferScale.y),
                static_cast<int>((cmd.ClipRect.z - draw.DisplayPos.x) * draw.FramebufferScale.x),
                static_cast<int>((cmd.ClipRect.w - draw.DisplayPos.y) * draw.FramebufferScale.y)};
      clip.x0 = std::max(clip.x0, 0);
      clip.y0 = std::max(clip.y0, 0);
      clip.x1 = std::min(clip.x1, target.width);
      clip.y1 = std::min(clip.y1, target.height);
      if (clip.x0 >= clip.x1 || clip.y0 >= clip.y1) continue;
      const ImDrawVert* v = vtx + cmd.VtxOffset;
      const ImDrawIdx* idx = idx_all + cmd.IdxOffset;
      const unsigned int count = cmd.ElemCount - cmd.ElemCount % 3;
      for (unsigned int i = 0; i < count;) {
        if (i + 6 <= count && idx[i + 3] == idx[i] && idx[i + 4] == idx[i + 2]) {
          const ImDrawVert &a = v[idx[i]], &b = v[idx[i + 1]], &c = v[idx[i + 2]],
                           &d = v[idx[i + 5]];
          if (IsAxisQuad(a, b, c, d)) {
            r.Rect(r.Pos(a), r.Pos(c), a.uv, c.uv, a.col, clip);
            i += 6;
            continue;
          }
        }
        r.Triangle(v[idx[i]], v[idx[i + 1]], v[idx[i + 2]], clip);
        i += 3;
      }
    }
  }
}

}  // namespace fieldsync::platform
