// Look up and audit Alibaba Cloud HBR backup clients.
package hbr
