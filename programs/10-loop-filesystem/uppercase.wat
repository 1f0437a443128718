;; Copies file 0 to file 1 converting ASCII a..z to A..Z (other bytes unchanged); prints how many bytes changed.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (func (export "main")
    (local $c i32) (local $changed i32)
    (drop (call $fd_open (i32.const 0)))
    (drop (call $fd_open (i32.const 1)))
    (block $eof
      (loop $copy
        (local.set $c (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $c) (i32.const -1)))
        (if (i32.and (i32.ge_s (local.get $c) (i32.const 97)) (i32.le_s (local.get $c) (i32.const 122)))
          (then
            (local.set $c (i32.sub (local.get $c) (i32.const 32)))
            (local.set $changed (i32.add (local.get $changed) (i32.const 1)))))
        (call $fd_write (i32.const 1) (local.get $c))
        (br $copy)))
    (call $output (local.get $changed))
  )
)
