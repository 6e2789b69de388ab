// The part of gifenc (no types of its own) that Export Animation uses.
declare module 'gifenc' {
  export type Palette = number[][];
  export interface FrameOptions {
    palette?: Palette;
    /** Milliseconds (written in hundredths). */
    delay?: number;
    /** 0: loop forever. */
    repeat?: number;
    /** Manual mode (GIFEncoder({ auto: false })): the first frame writes the screen descriptor and the global palette. */
    first?: boolean;
    transparent?: boolean;
    transparentIndex?: number;
    /** 1: keep this frame under the next (which draws over it). */
    dispose?: number;
  }
  export interface Encoder {
    writeHeader(): void;
    writeFrame(index: Uint8Array, width: number, height: number, options?: FrameOptions): void;
    finish(): void;
    /** A copy of the bytes written since the last reset. */
    bytes(): Uint8Array;
    reset(): void;
  }
  export function GIFEncoder(options?: { auto?: boolean; initialCapacity?: number }): Encoder;
  export function quantize(rgba: Uint8Array | Uint8ClampedArray, maxColors: number): Palette;
  export function applyPalette(rgba: Uint8Array | Uint8ClampedArray, palette: Palette): Uint8Array;
}
