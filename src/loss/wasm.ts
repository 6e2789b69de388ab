// A small WebAssembly binary encoder: just what the loss and condition code generators need (no dependencies).

export type ValueType = 'i32' | 'f64' | 'v128';

const TYPE_CODE: Record<ValueType, number> = { i32: 0x7f, f64: 0x7c, v128: 0x7b };

/** Opcodes used by the code generator (scalar, then the 0xFD-prefixed SIMD ones). */
export const Op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f, call: 0x10, select: 0x1b,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, f64Load: 0x2b, f64Store: 0x39, i32Const: 0x41, f64Const: 0x44,
  i32Eqz: 0x45, i32Eq: 0x46, i32GeS: 0x4e, i32LtS: 0x48, i32Sub: 0x6b, i32Add: 0x6a, i32Mul: 0x6c, i32And: 0x71, i32Or: 0x72, i32Shl: 0x74,
  f64Eq: 0x61, f64Ne: 0x62, f64Lt: 0x63, f64Gt: 0x64, f64Le: 0x65, f64Ge: 0x66,
  f64Abs: 0x99, f64Neg: 0x9a, f64Sqrt: 0x9f, f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, f64Div: 0xa3, f64Min: 0xa4, f64Max: 0xa5,
  f64Copysign: 0xa6,
  f64ConvertI32S: 0xb7,
} as const;

export const SimdOp = {
  v128Load: 0x00, v128Store: 0x0b, v128Const: 0x0c, f64x2Splat: 0x14, f64x2ExtractLane: 0x21, f64x2ReplaceLane: 0x22,
  f64x2Eq: 0x47, f64x2Lt: 0x49, f64x2Le: 0x4b, v128Bitselect: 0x52,
  f64x2Abs: 0xec, f64x2Neg: 0xed, f64x2Sqrt: 0xef, f64x2Add: 0xf0, f64x2Sub: 0xf1, f64x2Mul: 0xf2, f64x2Div: 0xf3, f64x2Min: 0xf4, f64x2Max: 0xf5,
} as const;

class Bytes {
  private buffer = new Uint8Array(256);
  length = 0;
  private static readonly scratch = new DataView(new ArrayBuffer(8));

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  byte(b: number): this {
    this.reserve(1);
    this.buffer[this.length++] = b;
    return this;
  }

  u32(value: number): this {
    let v = value >>> 0;
    do {
      const b = v & 0x7f;
      v >>>= 7;
      this.byte(v === 0 ? b : b | 0x80);
    } while (v !== 0);
    return this;
  }

  s32(value: number): this {
    let v = value | 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  f64(value: number): this {
    Bytes.scratch.setFloat64(0, value, true);
    this.reserve(8);
    for (let i = 0; i < 8; i++) this.buffer[this.length++] = Bytes.scratch.getUint8(i);
    return this;
  }

  name(text: string): this {
    return this.append(new TextEncoder().encode(text), true);
  }

  /** Appends bytes, after their length as a u32 when sized. */
  append(other: Bytes | Uint8Array | number[], sized = false): this {
    const bytes = other instanceof Bytes ? other.buffer.subarray(0, other.length) : other;
    if (sized) this.u32(bytes.length);
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  toArray(): Uint8Array<ArrayBuffer> {
    return this.buffer.slice(0, this.length);
  }
}

/** A function body: its locals (after the parameters) and instructions. */
export class Code {
  readonly bytes = new Bytes();
  private readonly localTypes: ValueType[] = [];

  constructor(private readonly paramCount: number) {}

  addLocal(type: ValueType): number {
    this.localTypes.push(type);
    return this.paramCount + this.localTypes.length - 1;
  }

  op(opcode: number): this {
    this.bytes.byte(opcode);
    return this;
  }

  simd(opcode: number): this {
    this.bytes.byte(0xfd).u32(opcode);
    return this;
  }

  lane(index: number): this {
    this.bytes.byte(index);
    return this;
  }

  local(opcode: number, index: number): this {
    this.bytes.byte(opcode).u32(index);
    return this;
  }

  call(functionIndex: number): this {
    this.bytes.byte(Op.call).u32(functionIndex);
    return this;
  }

  i32(value: number): this {
    this.bytes.byte(Op.i32Const).s32(value);
    return this;
  }

  f64(value: number): this {
    this.bytes.byte(Op.f64Const).f64(value);
    return this;
  }

  v128Splat(value: number): this {
    this.bytes.byte(0xfd).u32(SimdOp.v128Const).f64(value).f64(value);
    return this;
  }

  v128Pair(low: number, high: number): this {
    this.bytes.byte(0xfd).u32(SimdOp.v128Const).f64(low).f64(high);
    return this;
  }

  /** A load or store with an 8-byte alignment hint. */
  memory(opcode: number, offset: number, simd = false): this {
    if (simd) this.bytes.byte(0xfd).u32(opcode);
    else this.bytes.byte(opcode);
    this.bytes.u32(3).u32(offset);
    return this;
  }

  /** i32.load with its natural 4-byte alignment hint. */
  loadI32(offset: number): this {
    this.bytes.byte(Op.i32Load).u32(2).u32(offset);
    return this;
  }

  /** memory.fill on memory 0: [dest, value, length] -> []. */
  memoryFill(): this {
    this.bytes.byte(0xfc).u32(11).byte(0);
    return this;
  }

  /** A block or loop with no result. */
  begin(opcode: typeof Op.block | typeof Op.loop | typeof Op.if): this {
    this.bytes.byte(opcode).byte(0x40);
    return this;
  }

  branch(opcode: typeof Op.br | typeof Op.brIf, depth: number): this {
    this.bytes.byte(opcode).u32(depth);
    return this;
  }

  encode(): Bytes {
    const groups: [number, ValueType][] = [];
    for (const type of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === type) last[0]++;
      else groups.push([1, type]);
    }
    const body = new Bytes().u32(groups.length);
    for (const [count, type] of groups) body.u32(count).byte(TYPE_CODE[type]);
    body.append(this.bytes).byte(Op.end);
    return new Bytes().append(body, true);
  }
}

interface FunctionType {
  params: ValueType[];
  results: ValueType[];
}

/** A module of imported functions, an imported memory and defined (exported or internal) functions. */
export class ModuleBuilder {
  private readonly types: FunctionType[] = [];
  private readonly functionImports: { module: string; name: string; type: number }[] = [];
  private memoryImport: { module: string; name: string } | undefined;
  private readonly functions: { type: number; code: Code; exportName?: string }[] = [];

  private typeIndex(params: ValueType[], results: ValueType[]): number {
    const key = `${params.join(',')}>${results.join(',')}`;
    const found = this.types.findIndex((t) => `${t.params.join(',')}>${t.results.join(',')}` === key);
    if (found >= 0) return found;
    this.types.push({ params, results });
    return this.types.length - 1;
  }

  importMemory(module: string, name: string): void {
    this.memoryImport = { module, name };
  }

  /** Imports must all be added before any function is defined; returns the function index. */
  importFunction(module: string, name: string, params: ValueType[], results: ValueType[]): number {
    if (this.functions.length > 0) throw new Error('imports must come before functions');
    this.functionImports.push({ module, name, type: this.typeIndex(params, results) });
    return this.functionImports.length - 1;
  }

  /** Adds a function, exported unless exportName is undefined; returns its function index. */
  addFunction(exportName: string | undefined, params: ValueType[], results: ValueType[], code: Code): number {
    this.functions.push({ type: this.typeIndex(params, results), code, exportName });
    return this.functionImports.length + this.functions.length - 1;
  }

  encode(): Uint8Array<ArrayBuffer> {
    const out = new Bytes().append([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, content: Bytes): void => {
      out.byte(id).append(content, true);
    };
    const types = new Bytes().u32(this.types.length);
    for (const t of this.types) {
      types.byte(0x60).u32(t.params.length);
      for (const p of t.params) types.byte(TYPE_CODE[p]);
      types.u32(t.results.length);
      for (const r of t.results) types.byte(TYPE_CODE[r]);
    }
    section(1, types);
    const imports = new Bytes().u32(this.functionImports.length + (this.memoryImport ? 1 : 0));
    if (this.memoryImport) imports.name(this.memoryImport.module).name(this.memoryImport.name).byte(0x02).byte(0x00).u32(0);
    for (const f of this.functionImports) imports.name(f.module).name(f.name).byte(0x00).u32(f.type);
    section(2, imports);
    const functions = new Bytes().u32(this.functions.length);
    for (const f of this.functions) functions.u32(f.type);
    section(3, functions);
    const exported = this.functions.filter((f) => f.exportName !== undefined);
    const exports = new Bytes().u32(exported.length);
    this.functions.forEach((f, i) => {
      if (f.exportName !== undefined) exports.name(f.exportName).byte(0x00).u32(this.functionImports.length + i);
    });
    section(7, exports);
    const code = new Bytes().u32(this.functions.length);
    for (const f of this.functions) code.append(f.code.encode());
    section(10, code);
    return out.toArray();
  }
}
