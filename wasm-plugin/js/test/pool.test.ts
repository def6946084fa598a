// The packing buffers kept between frames: a frame gets a kept buffer only when it needs most of it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { giveBack, take } from '../src/pool.js';

describe('pool', () => {
  it('keeps a large buffer for a large frame, not for a small one', () => {
    const large = new ArrayBuffer(1 << 20);
    giveBack('u8', large);
    assert.equal(take('u8', 1024), undefined, 'a small frame must not move the large buffer');
    assert.equal(take('u8', (1 << 20) + 1), undefined, 'a frame larger than the buffer gets a new one');
    assert.equal(take('u8', 1 << 19), large, 'a frame needing half of it takes it');
    assert.equal(take('u8', 1 << 19), undefined, 'taken: no longer kept');
  });

  it('keeps the largest buffer given back', () => {
    const small = new ArrayBuffer(1024);
    const large = new ArrayBuffer(4096);
    giveBack('f64', large);
    giveBack('f64', small);
    assert.equal(take('f64', 512), undefined, 'the largest is kept: the small one would have served');
    assert.equal(take('f64', 4096), large);
  });
});
