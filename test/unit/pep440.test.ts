import { expect, test } from "bun:test";
import { canonicalName, compareVersions, normalizeVersion, pinAccepts } from "../../src/core/packages/pep440.ts";

test.each([
  ["1.0", "1.0"],
  ["2023.11.17", "2023.11.17"],
  ["1.0.0-beta1", "1.0.0b1"],
  ["01.02", "1.2"],
  ["v1.0", "1.0"],
  ["1.0-1", "1.0.post1"],
  ["1.0.RC1", "1.0rc1"],
  ["1.0+Local.X", "1.0+local.x"],
  ["1.0+local-x_y", "1.0+local.x.y"],
  ["1!2.0", "1!2.0"],
  ["2.0a1.dev3", "2.0a1.dev3"],
  ["1.0-foo", null],
  ["not a version", null],
])("normalizeVersion(%p) is %p, as pip prints it", (raw, normal) => {
  expect(normalizeVersion(raw)).toBe(normal);
});

test.each([
  ["Mixed_Case.Name", "mixed-case-name"],
  ["a__b--c..d", "a-b-c-d"],
  ["requests", "requests"],
])("canonicalName(%p) = %p", (name, key) => {
  expect(canonicalName(name)).toBe(key);
});

test.each([
  ["1.0", "2.0", -1],
  ["2.0", "1.10", 1],
  ["1.0", "1.0.0", 0],
  ["1.0a1", "1.0", -1],
  ["1.0.post1", "1.0", 1],
])("compareVersions(%p, %p) = %p", (a, b, order) => {
  expect(compareVersions(a, b)).toBe(order);
});

// As pip (packaging's Specifier) reads `==PIN`: a pin without a local label ignores the installed one's.
test.each([
  ["1.0", "1.0+abc.1", true],
  ["1.0", "1.0.0+abc.1", true],
  ["1.0", "1.0", true],
  ["1.0+abc.1", "1.0+abc.1", true],
  ["1.0+abc.1", "1.0", false],
  ["1.0+abc.1", "1.0+abc.2", false],
  ["1.0", "1.0.post1+abc", false],
  ["1.0", "1.1+abc", false],
])("pinAccepts(==%p, installed %p) is %p", (pin, version, accepted) => {
  expect(pinAccepts(pin, version)).toBe(accepted);
});
