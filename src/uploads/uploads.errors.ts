import { DomainError } from '../common/errors/domain-error.js';

export enum UploadsErrorCode {
  NoFile = 'UPLOAD_NO_FILE',
  EmptyFile = 'UPLOAD_EMPTY',
  FileTooLarge = 'UPLOAD_TOO_LARGE',
  QuotaExceeded = 'UPLOAD_QUOTA_EXCEEDED',
  UnsupportedType = 'UPLOAD_UNSUPPORTED_TYPE',
  TypeMismatch = 'UPLOAD_TYPE_MISMATCH',
  NotAnImage = 'UPLOAD_NOT_AN_IMAGE',
  ImageTooLarge = 'UPLOAD_IMAGE_TOO_LARGE',
  StorageFailed = 'UPLOAD_STORAGE_FAILED',
}

const STATUS: Record<UploadsErrorCode, number> = {
  [UploadsErrorCode.NoFile]: 400,
  [UploadsErrorCode.EmptyFile]: 400,
  [UploadsErrorCode.FileTooLarge]: 413,
  [UploadsErrorCode.QuotaExceeded]: 413,
  [UploadsErrorCode.UnsupportedType]: 415,
  [UploadsErrorCode.TypeMismatch]: 415,
  [UploadsErrorCode.NotAnImage]: 400,
  [UploadsErrorCode.ImageTooLarge]: 400,
  [UploadsErrorCode.StorageFailed]: 503,
};

export class UploadsError extends DomainError {
  constructor(code: UploadsErrorCode, message: string) {
    super(code, STATUS[code], message);
  }
}
