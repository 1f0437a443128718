;; br_if with a value: when taken, the value leaves the block; when not taken, the same value stays on the
;; stack and the block goes on using it. For each byte c of file 0 prints:
;;   block A: c > 100 ? 2c : 2c + 1
;;   block B (br_if to the outer of two nested blocks): c is even ? c : c + 1000
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $c i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $next
        (local.set $c (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $c) (i32.const -1)))
        (call $output
          (block $a (result i32)
            (br_if $a (i32.mul (local.get $c) (i32.const 2))
                      (i32.gt_s (local.get $c) (i32.const 100)))
            ;; not taken: 2c is still on the stack
            (i32.const 1)
            (i32.add)))
        (call $output
          (block $outer (result i32)
            (block $inner (result i32)
              (br_if $outer (local.get $c)
                            (i32.eq (i32.and (local.get $c) (i32.const 1)) (i32.const 0)))
              ;; not taken: c is still on the stack; leave the inner block with it
              (br $inner))
            (i32.const 1000)
            (i32.add)))
        (br $next)))
  )
)
