;; ROT13 of file 0 into file 2: letters rotate by 13 within their case, everything else is copied.
(module
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (func (export "main")
    (local $c i32) (local $base i32)
    (drop (call $fd_open (i32.const 0)))
    (drop (call $fd_open (i32.const 2)))
    (block $eof
      (loop $read
        (local.set $c (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $c) (i32.const -1)))
        ;; base = 'A' or 'a' for letters, 0 for anything else
        (local.set $base
          (if (result i32) (i32.and (i32.ge_s (local.get $c) (i32.const 65)) (i32.le_s (local.get $c) (i32.const 90)))
            (then (i32.const 65))
            (else
              (if (result i32) (i32.and (i32.ge_s (local.get $c) (i32.const 97)) (i32.le_s (local.get $c) (i32.const 122)))
                (then (i32.const 97))
                (else (i32.const 0))))))
        (if (local.get $base)
          (then
            (local.set $c (i32.add (local.get $c) (i32.const 13)))
            (if (i32.ge_s (local.get $c) (i32.add (local.get $base) (i32.const 26)))
              (then (local.set $c (i32.sub (local.get $c) (i32.const 26)))))))
        (call $fd_write (i32.const 2) (local.get $c))
        (br $read)))
  )
)
